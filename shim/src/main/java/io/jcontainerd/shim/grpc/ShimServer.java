package io.jcontainerd.shim.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The shim's gRPC server on its unix socket (mode 0600: only root's supervisor talks to it). One
 * event loop thread serves both accepting and I/O, and calls run on virtual threads (Wait blocks
 * for as long as the container runs).
 */
public final class ShimServer {
    private final Path path;
    private final Server server;

    private ShimServer(Path path, Server server) {
        this.path = path;
        this.server = server;
    }

    public static ShimServer start(Path path, BindableService service, EventLoopGroup group) {
        // Bound under a temporary name, then renamed: a client never finds a socket nobody serves.
        Path bound = path.resolveSibling("." + path.getFileName() + ".starting");
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(bound);
            Files.deleteIfExists(path);
            Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(bound.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(group)
                    .workerEventLoopGroup(group)
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .permitKeepAliveWithoutCalls(true)
                    .permitKeepAliveTime(1, TimeUnit.SECONDS)
                    .addService(service)
                    .build()
                    .start();
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
            return new ShimServer(path, server);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot serve the shim API on %s: %s", path, e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    /** Stops serving (running calls get {@code graceMillis}) and removes the socket. */
    public void stop(long graceMillis) {
        server.shutdown();
        try {
            if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The supervisor removes the bundle directory with the task.
        }
    }
}
