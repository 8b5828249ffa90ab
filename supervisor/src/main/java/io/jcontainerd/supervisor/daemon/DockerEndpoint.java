package io.jcontainerd.supervisor.daemon;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.docker.DockerFacade;
import io.jcontainerd.supervisor.pull.DaemonRegistry;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Docker facade and the in-process gRPC server it reaches the daemon's services through
 * (the same service definitions and interceptors as the unix socket's), started and closed together.
 */
final class DockerEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DockerEndpoint.class.getName());
    private final Server inProcess;
    private final DockerFacade facade;

    private DockerEndpoint(Server inProcess, DockerFacade facade) {
        this.inProcess = inProcess;
        this.facade = facade;
    }

    /**
     * Makes the Docker socket's path free for {@link #start} (a stale socket is removed; one a live
     * daemon answers on is refused), before the daemon serves anything.
     */
    static void claim(DaemonConfig config) {
        if (SocketGuard.claim(config.docker().address())) {
            LOG.info(() -> "removed stale socket " + config.docker().address());
        }
    }

    /** Starts the facade on the path {@link #claim} freed; it listens once it can serve (containers recovered). */
    static DockerEndpoint start(DaemonConfig config, List<ServerServiceDefinition> services, List<ServerInterceptor> interceptors,
                                String serverId, DaemonNetwork network) {
        String name = "jcontainerd-" + UUID.randomUUID();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name).executor(Executors.newVirtualThreadPerTaskExecutor());
        services.forEach(s -> b.addService(ServerInterceptors.intercept(s, interceptors)));
        Server server;
        try {
            server = b.build().start();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot start the in-process gRPC server for the Docker API: %s", e.getMessage());
        }
        try {
            DockerFacade facade = DockerFacade.start(config,
                    InProcessChannelBuilder.forName(name).executor(Executors.newVirtualThreadPerTaskExecutor()).build(), serverId, network.get(),
                    // a registry client of the facade's own (as dockerd has): docker login and push talk to registries themselves
                    DaemonRegistry.client(config.registry().configPath()));
            return new DockerEndpoint(server, facade);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
    }

    @Override
    public void close() {
        facade.close();
        inProcess.shutdownNow();
        try {
            inProcess.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
