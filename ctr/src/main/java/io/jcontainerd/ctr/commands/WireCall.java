package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.ctr.client.Connection;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A unary call whose request is given as its wire bytes (none for google.protobuf.Empty or a request with no
 * field set) and whose answer is read straight from the wire, for the commands users time ({@code version},
 * {@code namespaces ls}, and the requests with map fields of {@code run}: run/RunWire). The generated
 * message classes are not touched: each one's
 * initialiser checks protobuf's {@code RuntimeVersion}, whose own formats a version string with
 * {@code String.format} (the locale data, ~10 ms of CPU), and a message with a map field builds its proto
 * file's descriptors (README "Performance", follow-up 7 and session 10).
 */
public final class WireCall {
    /** Reads one answer's fields; an IOException for a malformed one. */
    @FunctionalInterface
    public interface Reader<R> {
        R read(CodedInputStream in) throws IOException;
    }

    private WireCall() {
    }

    /**
     * The string fields 1 to {@code absent.length} of the message {@code in} holds (the last one given wins, as
     * in protobuf), each {@code absent[i]} where not given; every other field is skipped.
     */
    public static String[] readStrings(CodedInputStream in, String... absent) throws IOException {
        String[] values = absent.clone();
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = tag >>> 3;
            if ((tag & 7) == 2 && field >= 1 && field <= values.length) {
                values[field - 1] = readUtf8(in);
            } else {
                in.skipField(tag);
            }
        }
        return values;
    }

    /**
     * A string field, read as protobuf's {@code readStringRequireUtf8} reads it (malformed UTF-8 refused with the same
     * exception), but without protobuf's {@code Utf8}: choosing its decoder, protobuf's {@code UnsafeUtil} looks up
     * Android's classes by name, and that lookup, which fails, reads the class path's jar (README "Performance",
     * session 12).
     */
    public static String readUtf8(CodedInputStream in) throws IOException {
        byte[] bytes = in.readByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
    }

    /**
     * The call with an empty request on {@code connection}'s own unary path ({@link Connection#unary}): no io.grpc
     * channel, call or status on the way unless it fails, so a command that only asks and prints starts no
     * java.util.logging and opens no jar (README "Performance", session 12). Failures are those of {@link #call(Channel,
     * String, String, byte[], Reader)}: the same StatusRuntimeException, an unreadable answer included.
     */
    static <R> R call(Connection connection, String service, String method, Reader<R> reader) {
        // as MethodDescriptor.generateFullMethodName makes it
        return connection.unary(service + "/" + method, new byte[0], (buf, off, len) -> read(service, method, reader,
                CodedInputStream.newInstance(buf, off, len)));
    }

    /** The call with {@code request}'s bytes as its request message. */
    public static <R> R call(Channel channel, String service, String method, byte[] request, Reader<R> reader) {
        return ClientCalls.blockingUnaryCall(channel, descriptor(service, method, request, reader), CallOptions.DEFAULT, null);
    }

    /**
     * The call sent without waiting for its answer, so that the caller can send another meanwhile (HTTP/2
     * streams on one connection); {@link #await} takes the answer.
     */
    public static <R> CompletableFuture<R> start(Channel channel, String service, String method, byte[] request, Reader<R> reader) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel.newCall(descriptor(service, method, request, reader), CallOptions.DEFAULT), null,
                new StreamObserver<>() {
                    @Override
                    public void onNext(R value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        // the answer came in onNext
                    }
                });
        return answer;
    }

    /** A started call's answer, or the exception its blocking form would have thrown (a StatusRuntimeException). */
    public static <R> R await(CompletableFuture<R> call) {
        try {
            return call.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(false);
            throw new IllegalStateException("interrupted waiting for a call's answer", e);
        }
    }

    private static <R> MethodDescriptor<Void, R> descriptor(String service, String method, byte[] request, Reader<R> reader) {
        return MethodDescriptor.<Void, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(Void none) {
                        return new ByteArrayInputStream(request);
                    }

                    @Override
                    public Void parse(InputStream stream) {
                        throw new UnsupportedOperationException("jctr only sends this request");
                    }
                })
                .setResponseMarshaller(new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(R value) {
                        throw new UnsupportedOperationException("jctr only reads this answer");
                    }

                    @Override
                    public R parse(InputStream stream) {
                        return read(service, method, reader, CodedInputStream.newInstance(stream));
                    }
                })
                .build();
    }

    /** The answer {@code reader} reads from {@code in}; an UncheckedIOException naming the call for a malformed one. */
    private static <R> R read(String service, String method, Reader<R> reader, CodedInputStream in) {
        try {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + service + "/" + method + " answer: " + e.getMessage(), e);
        }
    }
}
