package io.jcontainerd.supervisor.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on a unix socket (netty epoll), mode 0660 like containerd's. The caller makes
 * sure the path is free ({@link SocketGuard}) before {@link #start}.
 */
public final class UnixGrpcServer implements AutoCloseable {
    private final Path path;
    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    private UnixGrpcServer(Path path, Server server, EventLoopGroup boss, EventLoopGroup workers) {
        this.path = path;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
    }

    /**
     * Serves {@code services} through {@code interceptors} on {@code path}; a request above
     * {@code maxRecvMessageSize} or a response above {@code maxSendMessageSize} ends its call with
     * RESOURCE_EXHAUSTED.
     */
    public static UnixGrpcServer start(Path path, int maxRecvMessageSize, int maxSendMessageSize,
                                       List<ServerServiceDefinition> services, List<ServerInterceptor> interceptors) {
        return start(path, maxRecvMessageSize, maxSendMessageSize, services, interceptors, Set.of());
    }

    /**
     * As {@link #start(Path, int, int, List, List)}, the calls of {@code inlineMethods} (full names) run on
     * the event loop that read them ({@link InlineCalls}), every other call on a virtual thread of its own.
     */
    public static UnixGrpcServer start(Path path, int maxRecvMessageSize, int maxSendMessageSize,
                                       List<ServerServiceDefinition> services, List<ServerInterceptor> interceptors,
                                       Set<String> inlineMethods) {
        if (!Epoll.isAvailable()) {
            throw JcdException.failedPrecondition("netty epoll is not available on this machine: %s",
                    Epoll.unavailabilityCause());
        }
        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(2);
        // Bind under a temporary name, set the mode, then rename: clients never see a socket with the wrong mode.
        Path bound = path.resolveSibling("." + path.getFileName() + ".starting-" + ProcessHandle.current().pid());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(bound.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .executor(InlineCalls.DIRECT)
                .callExecutor(new InlineCalls(inlineMethods, Executors.newVirtualThreadPerTaskExecutor()))
                .maxInboundMessageSize(maxRecvMessageSize)
                .permitKeepAliveWithoutCalls(true)
                .permitKeepAliveTime(1, TimeUnit.SECONDS);
        // The first interceptor is the innermost: the others (metrics) see the call its limit ended.
        List<ServerInterceptor> chain = new java.util.ArrayList<>();
        chain.add(new MaxSendMessageSize(maxSendMessageSize));
        chain.addAll(interceptors);
        for (ServerServiceDefinition s : services) {
            builder.addService(ServerInterceptors.intercept(s, chain));
        }
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(bound);
            Server server = builder.build().start();
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-rw----"));
            Files.move(bound, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new UnixGrpcServer(path, server, boss, workers);
        } catch (IOException e) {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw JcdException.failedPrecondition("cannot serve gRPC on %s: %s", path, e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    /** Stops accepting calls (a new one gets UNAVAILABLE); the running ones go on. */
    public void shutdown() {
        server.shutdown();
    }

    /** Stops accepting calls, gives running calls {@code graceMillis}, cancels the rest, then removes the socket. */
    public void stop(long graceMillis) {
        shutdown();
        awaitTermination(graceMillis);
    }

    /** After {@link #shutdown}: waits up to {@code graceMillis} for running calls, cancels the rest, removes the socket. */
    public void awaitTermination(long graceMillis) {
        try {
            if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The socket is in the state dir; a stale one is removed at the next start.
        }
    }

    @Override
    public void close() {
        stop(2000);
    }
}
