package io.jcontainerd.ctr.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.proto.Namespaces;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC connection to the daemon's unix socket, sending the namespace header on every call
 * and applying the per-call timeout. Checks the socket first so an absent daemon is one clear
 * line rather than a gRPC stack trace.
 */
public final class Connection implements AutoCloseable {
    private static final int MAX_MESSAGE = 16 << 20;

    private final ManagedChannel channel;
    private final EventLoopGroup loop;
    private final Channel intercepted;

    private Connection(ManagedChannel channel, EventLoopGroup loop, String namespace, Duration timeout) {
        this.channel = channel;
        this.loop = loop;
        ClientInterceptor deadline = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, timeout.isZero() ? options
                        : options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        };
        this.intercepted = ClientInterceptors.intercept(channel, deadline, Namespaces.namespaceInterceptor(namespace));
    }

    public static Connection open(Path socket, String namespace, Duration timeout, Duration connectTimeout) {
        probe(socket, connectTimeout);
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(loop)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE)
                .build();
        return new Connection(channel, loop, namespace, timeout);
    }

    /** Fails with {@link DaemonUnreachableException} unless something accepts connections on {@code socket}. */
    static void probe(Path socket, Duration connectTimeout) {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        while (true) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return;
            } catch (IOException e) {
                if (System.nanoTime() >= deadline) {
                    String why = Files.exists(socket) ? "nothing answers on it (" + e.getMessage() + ")" : "it does not exist";
                    throw new DaemonUnreachableException(socket, why);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DaemonUnreachableException(socket, "interrupted");
            }
        }
    }

    public Channel channel() {
        return intercepted;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
}
