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
import io.jcontainerd.supervisor.tls.TlsFiles;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.jcontainerd.supervisor.docker.images.ImageRoutes;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.images.RegistryRoutes;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.supervisor.docker.networks.NetworkRoutes;
import io.jcontainerd.supervisor.docker.containers.Networking;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.supervisor.docker.stats.StatsRoutes;
import io.jcontainerd.supervisor.docker.system.DiskUsageRoutes;
import io.jcontainerd.supervisor.docker.system.SystemRoutes;
import io.jcontainerd.supervisor.docker.volumes.VolumeMounts;
import io.jcontainerd.supervisor.docker.volumes.VolumeRoutes;
import io.jcontainerd.supervisor.docker.volumes.VolumeStore;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Docker Engine API served by the daemon: a client of the daemon's own containerd services
 * (over {@code channel}, in-process) in a namespace of its own, on its own unix socket.
 */
public final class DockerFacade implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DockerFacade.class.getName());
    private final DockerHttpServer server;
    /** The TCP listener ([docker] tcp); null when not configured. */
    private final DockerHttpServer tcp;
    private final ManagedChannel channel;

    private DockerFacade(DockerHttpServer server, DockerHttpServer tcp, ManagedChannel channel) {
        this.server = server;
        this.tcp = tcp;
        this.channel = channel;
    }

    /**
     * {@code networks} is the daemon's one network manager, shared with CRI; {@code registry} the
     * client docker login and docker push reach registries with.
     */
    public static DockerFacade start(DaemonConfig config, ManagedChannel channel, String serverId, NetworkManager networks,
                                     RegistryClient registry) {
        try {
            DaemonConfig.DockerTcp tcpConfig = config.docker().tcp();
            // the TLS files are read (and the key's mode checked) before anything starts
            SslContext tls = tcpConfig != null && tcpConfig.tls()
                    ? TlsFiles.serverContext("docker.tls_cert", tcpConfig.tlsCert(), "docker.tls_key", tcpConfig.tlsKey(),
                            "docker.tls_ca", tcpConfig.tlsVerify() ? tcpConfig.tlsCa() : null)
                    : null;
            Containerd cd = Containerd.on(channel, config.docker().namespace());
            ImageStore images = new ImageStore(cd);
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
            new ImageRoutes(cd, images, config.snapshotter(), containers::usingImage, config.root().resolve("docker/tmp"), events,
                    config.docker().load()).register(router);
            new RegistryRoutes(cd, images, registry, events).register(router);
            new ContainerRoutes(containers, images, execs::idsOf, archive).register(router);
            new VolumeRoutes(volumes).register(router);
            new StatsRoutes(containers).register(router);
            new DiskUsageRoutes(containers, images, volumes).register(router);
            new ExecRoutes(containers, execs).register(router);
            new NetworkRoutes(networks, containers, events).register(router);
            Dispatcher dispatcher = new Dispatcher(router);
            DockerHttpServer server = DockerHttpServer.start(config.docker().address(), SystemRoutes.identity(), dispatcher,
                    router::streamsBody);
            DockerHttpServer tcp = null;
            if (tcpConfig != null) {
                try {
                    tcp = DockerHttpServer.startTcp(new InetSocketAddress(InetAddress.ofLiteral(tcpConfig.host()), tcpConfig.port()), tls,
                            SystemRoutes.identity(), dispatcher, router::streamsBody);
                } catch (RuntimeException e) {
                    server.close();
                    throw e;
                }
                LOG.info(() -> "Docker API also serving on " + tcpConfig.url() + (tls == null ? " (plain TCP, loopback)"
                        : tcpConfig.tlsVerify() ? " (TLS, client certificates signed by " + tcpConfig.tlsCa() + " required)"
                        : " (TLS, no client certificates)"));
            }
            LOG.info(() -> "Docker API serving on " + config.docker().address() + " (namespace " + config.docker().namespace()
                    + ", " + containers.all().size() + " containers found)");
            return new DockerFacade(server, tcp, channel);
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    @Override
    public void close() {
        if (tcp != null) {
            tcp.close();
        }
        server.close();
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
