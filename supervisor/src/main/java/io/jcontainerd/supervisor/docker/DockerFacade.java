package io.jcontainerd.supervisor.docker;

import io.grpc.ManagedChannel;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.supervisor.docker.containers.ContainerArchive;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.ContainerRoutes;
import io.jcontainerd.supervisor.docker.events.ContainerEvents;
import io.jcontainerd.supervisor.docker.events.EventBus;
import io.jcontainerd.supervisor.docker.events.EventRoutes;
import io.jcontainerd.supervisor.docker.exec.ExecManager;
import io.jcontainerd.supervisor.docker.health.HealthMonitor;
import io.jcontainerd.supervisor.docker.exec.ExecRoutes;
import io.jcontainerd.supervisor.docker.http.Dispatcher;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.DockerHttpServer;
import io.jcontainerd.supervisor.docker.http.Router;
import io.jcontainerd.supervisor.docker.images.ImageRoutes;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.networks.NetworkRoutes;
import io.jcontainerd.supervisor.docker.containers.Networking;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.supervisor.docker.system.SystemRoutes;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Docker Engine API served by the daemon: a client of the daemon's own containerd services
 * (over {@code channel}, in-process) in a namespace of its own, on its own unix socket.
 */
public final class DockerFacade implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DockerFacade.class.getName());
    private final DockerHttpServer server;
    private final ManagedChannel channel;

    private DockerFacade(DockerHttpServer server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    public static DockerFacade start(DaemonConfig config, ManagedChannel channel, String serverId) {
        try {
            Containerd cd = Containerd.on(channel, config.docker().namespace());
            ImageStore images = new ImageStore(cd);
            NetworkManager networks = NetworkManager.open(config);
            ContainerManager containers = new ContainerManager(cd, images, config.snapshotter(),
                    config.root().resolve("docker/containers"), config.state().resolve("docker/fifo"),
                    new Networking(networks, config.docker().namespace()));
            EventBus events = new EventBus();
            containers.listen(new ContainerEvents(events));
            containers.recover();
            ExecManager execs = new ExecManager(containers);
            new HealthMonitor(containers, execs).start();
            Router router = new Router();
            new EventRoutes(events).register(router);
            new SystemRoutes(containers, images, config.root(), serverId).register(router);
            new ImageRoutes(cd, images, config.snapshotter(), containers::usingImage).register(router);
            new ContainerRoutes(containers, images, execs::idsOf,
                    new ContainerArchive(containers, config.state().resolve("docker/mnt"))).register(router);
            new ExecRoutes(containers, execs).register(router);
            new NetworkRoutes(networks, containers).register(router);
            ObjectMapper json = new ObjectMapper();
            router.add("GET", "/volumes", (q, x) -> x.json(200, json.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set(
                            "Volumes", json.createArrayNode()).putNull("Warnings")))
                    .add("POST", "/volumes/prune", (q, x) -> x.json(200, json.createObjectNode().put("SpaceReclaimed", 0)
                            .<com.fasterxml.jackson.databind.node.ObjectNode>set("VolumesDeleted", json.createArrayNode())))
                    .add("POST", "/volumes/create", (q, x) -> {
                        throw DockerApiException.badRequest("volumes are not supported yet by jcontainerd's Docker API: bind a host directory");
                    });
            DockerHttpServer server = DockerHttpServer.start(config.docker().address(), SystemRoutes.identity(), new Dispatcher(router));
            LOG.info(() -> "Docker API serving on " + config.docker().address() + " (namespace " + config.docker().namespace()
                    + ", " + containers.all().size() + " containers found)");
            return new DockerFacade(server, channel);
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
