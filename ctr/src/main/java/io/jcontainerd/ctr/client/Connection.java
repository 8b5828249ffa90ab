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
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
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
 *
 * <p>Start-up cost is most of a jctr run (README, "Performance"), so the connection is the cheapest
 * one gRPC-netty offers: the JDK's own unix sockets through NIO (netty's epoll transport would
 * extract and load its native library on every start), no JFR events from netty's allocator, netty
 * logging straight to java.util.logging (no probing for SLF4J and Log4j on the class path), a
 * channel factory instead of a reflective one, and no gRPC executor threads (calls are blocking or
 * complete a future, so gRPC's callbacks run on the one event loop thread).
 */
public final class Connection implements AutoCloseable {
    private static final int MAX_MESSAGE = 16 << 20;

    static {
        // read once by netty's static initialisers, so set before the first netty class initialises;
        // a -D on the command line wins
        setIfAbsent("io.grpc.netty.shaded.io.netty.transport.noNative", "true");
        setIfAbsent("io.grpc.netty.shaded.io.netty.jfr.enabled", "false");
        // a CLI makes a handful of small calls: unpooled buffers and no object pools (both pools
        // cost more to set up than they save here)
        setIfAbsent("io.grpc.netty.shaded.io.netty.allocator.type", "unpooled");
        setIfAbsent("io.grpc.netty.shaded.io.netty.recycler.maxCapacityPerThread", "0");
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

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
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                .eventLoopGroup(loop)
                .channelFactory(NioDomainSocketChannel::new, UnixDomainSocketAddress.class)
                .executor(Runnable::run)
                .offloadExecutor(Runnable::run)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE)
                .build();
        return new Connection(channel, loop, namespace, timeout);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
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
