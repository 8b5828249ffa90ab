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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC connection to the daemon's unix socket, sending the namespace header on every call
 * and applying the per-call timeout. An absent daemon is one clear line rather than a gRPC stack
 * trace.
 *
 * <p>Start-up cost is most of a jctr run (README, "Performance"), so the connection is jctr's own
 * HTTP/2 client ({@link Http2Connection}, {@link GrpcCall}) on the JDK's unix socket: no netty, no
 * gRPC channel machinery, one reader thread. The daemon keeps grpc-netty. Generated stubs call through
 * {@link #channel()}; the commands that only ask and print call {@link #unary}, which makes none of io.grpc's
 * channel, metadata or status classes unless the call fails.
 */
public final class Connection implements AutoCloseable {
    private static final int MAX_MESSAGE = 16 << 20;
    /** The name of Namespaces.NAMESPACE_HEADER, which {@link #unary} cannot read without initialising grpc's Metadata. */
    static final String NAMESPACE_HEADER = "containerd-namespace";

    private final Http2Connection connection;
    private final String namespace;
    private final Duration timeout;
    /** Built on the first {@link #channel()}: {@link #unary} needs none of io.grpc's channel classes. */
    private Channel intercepted;

    /** Reads an answer's one message from {@code length} bytes of {@code buf} at {@code offset}; a RuntimeException if it cannot. */
    @FunctionalInterface
    public interface Parser<R> {
        R parse(byte[] buf, int offset, int length);
    }

    private Connection(Http2Connection connection, String namespace, Duration timeout) {
        this.connection = connection;
        this.namespace = namespace;
        this.timeout = timeout;
    }

    /** The channel the generated stubs call: this connection with the namespace header and the per-call timeout. */
    public synchronized Channel channel() {
        if (intercepted != null) {
            return intercepted;
        }
        ClientInterceptor deadline = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, timeout.isZero() ? options
                        : options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
        };
        intercepted = ClientInterceptors.intercept(new Http2Channel(connection, MAX_MESSAGE), deadline,
                Namespaces.namespaceInterceptor(namespace));
        return intercepted;
    }

    /** A request header of a call on {@link #start}: a lower-case ASCII name and an ASCII value (gRPC's ASCII metadata). */
    public record Header(String name, String value) {
    }

    /**
     * A unary call of {@code fullMethodName} ({@code service/method}) whose request is {@code request}'s bytes, its
     * answer read by {@code parser}, sent as a call on {@link #channel()} would be (the namespace header, the per-call
     * timeout) and failing as it would (a {@code StatusRuntimeException}), but without io.grpc's call machinery: the
     * commands users time use it (README "Performance", sessions 12 and 13).
     */
    public <R> R unary(String fullMethodName, byte[] request, Parser<R> parser) {
        return start(fullMethodName, List.of(), request, parser).await();
    }

    /**
     * The unary call of {@link #unary} with {@code headers} after the namespace's, sent without waiting for its answer,
     * which {@link PendingCall#await} takes; the per-call timeout counts from now, as grpc-stub's from its call's start.
     */
    public <R> PendingCall<R> start(String fullMethodName, List<Header> headers, byte[] request, Parser<R> parser) {
        return send(fullMethodName, headers, request, parser, false);
    }

    /**
     * A server-streaming call of {@code fullMethodName} with one request (Content/Read), each message of its answer
     * handed to {@code eachMessage} in order on the connection's reader thread; returns when the answer has ended, and
     * fails as grpc-stub's blocking iterator would (a {@code StatusRuntimeException}; one whose cause is what
     * {@code eachMessage} threw, if it threw).
     */
    public void serverStream(String fullMethodName, byte[] request, Parser<?> eachMessage) {
        send(fullMethodName, List.of(), request, eachMessage, true).await();
    }

    private <R> PendingCall<R> send(String fullMethodName, List<Header> headers, byte[] request, Parser<R> parser,
                                    boolean streaming) {
        // as Namespaces.namespaceInterceptor's ASCII metadata puts it on the wire
        List<Hpack.Field> metadata = new ArrayList<>(1 + headers.size());
        metadata.add(new Hpack.Field(NAMESPACE_HEADER, ascii(namespace)));
        for (Header h : headers) {
            metadata.add(new Hpack.Field(h.name(), ascii(h.value())));
        }
        boolean deadline = !timeout.isZero();
        long deadlineNanos = deadline ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout.toMillis()) : 0;
        return UnaryCall.start(connection, fullMethodName, metadata, deadline, deadlineNanos, request, MAX_MESSAGE, parser,
                streaming);
    }

    /** A metadata value as gRPC's ASCII marshaller writes it: each character not in US-ASCII becomes '?'. */
    private static String ascii(String value) {
        return new String(value.getBytes(StandardCharsets.US_ASCII), StandardCharsets.ISO_8859_1);
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

    @Override
    public void close() {
        connection.close();
    }
}
