package io.jcontainerd.ctr.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
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
 * and applying the per-call timeout. An absent daemon is one clear line rather than a gRPC stack
 * trace.
 *
 * <p>Start-up cost is most of a jctr run (README, "Performance"), so the connection is jctr's own
 * HTTP/2 client ({@link Http2Connection}, {@link GrpcCall}) on the JDK's unix socket: no netty, no
 * gRPC channel machinery, one reader thread. The daemon keeps grpc-netty.
 */
public final class Connection implements AutoCloseable {
    private static final int MAX_MESSAGE = 16 << 20;

    private final Http2Connection connection;
    private final Channel intercepted;

    private Connection(Http2Connection connection, String namespace, Duration timeout) {
        this.connection = connection;
        ClientInterceptor deadline = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, timeout.isZero() ? options
                        : options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        };
        this.intercepted = ClientInterceptors.intercept(new Http2Channel(connection, MAX_MESSAGE), deadline,
                Namespaces.namespaceInterceptor(namespace));
    }

    public static Connection open(Path socket, String namespace, Duration timeout, Duration connectTimeout) {
        SocketChannel ch = connect(socket, connectTimeout);
        try {
            return new Connection(Http2Connection.start(ch), namespace, timeout);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new DaemonUnreachableException(socket, "it accepted the connection but then " + e.getMessage());
        }
    }

    /**
     * A connected socket, retried until {@code connectTimeout}; {@link DaemonUnreachableException} unless
     * something accepts connections on {@code socket} by then.
     */
    static SocketChannel connect(Path socket, Duration connectTimeout) {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (IOException e) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // retrying
                    }
                }
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
        connection.close();
    }
}
