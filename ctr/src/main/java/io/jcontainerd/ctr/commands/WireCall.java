package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
                values[field - 1] = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return values;
    }

    static <R> R call(Channel channel, String service, String method, Reader<R> reader) {
        return call(channel, service, method, new byte[0], reader);
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
                        try {
                            return reader.read(CodedInputStream.newInstance(stream));
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot read the " + service + "/" + method + " answer: " + e.getMessage(), e);
                        }
                    }
                })
                .build();
    }
}
