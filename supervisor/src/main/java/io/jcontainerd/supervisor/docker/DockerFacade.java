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
import io.jcontainerd.supervisor.docker.http.DockerHttpServer;
import io.jcontainerd.supervisor.docker.http.Router;
import io.jcontainerd.supervisor.docker.images.ImageRoutes;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.networks.NetworkRoutes;
import io.jcontainerd.supervisor.docker.containers.Networking;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.supervisor.docker.stats.StatsRoutes;
import io.jcontainerd.supervisor.docker.system.DiskUsageRoutes;
import io.jcontainerd.supervisor.docker.system.SystemRoutes;
import io.jcontainerd.supervisor.docker.volumes.VolumeMounts;
import io.jcontainerd.supervisor.docker.volumes.VolumeRoutes;
import io.jcontainerd.supervisor.docker.volumes.VolumeStore;

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
            ContainerArchive archive = new ContainerArchive(containers, config.state().resolve("docker/mnt"));
            VolumeMounts volumes = new VolumeMounts(new VolumeStore(config.root().resolve("docker/volumes")), containers, archive, events);
            containers.useVolumes(volumes);
            containers.recover();
            ExecManager execs = new ExecManager(containers);
            new HealthMonitor(containers, execs).start();
            Router router = new Router();
            new EventRoutes(events).register(router);
            new SystemRoutes(containers, images, config.root(), serverId).register(router);
            new ImageRoutes(cd, images, config.snapshotter(), containers::usingImage).register(router);
            new ContainerRoutes(containers, images, execs::idsOf, archive).register(router);
            new VolumeRoutes(volumes).register(router);
            new StatsRoutes(containers).register(router);
            new DiskUsageRoutes(containers, images, volumes).register(router);
            new ExecRoutes(containers, execs).register(router);
            new NetworkRoutes(networks, containers).register(router);
            DockerHttpServer server = DockerHttpServer.start(config.docker().address(), SystemRoutes.identity(), new Dispatcher(router),
                    router::streamsBody);
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
