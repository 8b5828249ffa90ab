package io.jcontainerd.supervisor.grpc;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.proto.GrpcErrors;

import java.util.function.Supplier;

/**
 * Runs one unary call: computes the response, or turns the exception into a gRPC status through
 * the one mapper ({@link GrpcErrors}). Services stay one line per method.
 */
public final class Rpc {
    private Rpc() {
    }

    /** Items per message of a streamed list (the CRI's Stream* calls). */
    static final int BATCH = 500;

    /**
     * Runs one streamed list call (the CRI's Stream* variants of its List calls): computes the whole
     * list, then sends it {@value #BATCH} items a message (one empty message for an empty list), or
     * turns the exception into a gRPC status.
     */
    public static <T, R> void batches(StreamObserver<R> observer, Supplier<java.util.List<T>> items, java.util.function.Function<java.util.List<T>, R> wrap) {
        java.util.List<T> all;
        try {
            all = items.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        int i = 0;
        do {
            observer.onNext(wrap.apply(all.subList(i, Math.min(all.size(), i + BATCH))));
            i += BATCH;
        } while (i < all.size());
        observer.onCompleted();
    }

    public static <R> void unary(StreamObserver<R> observer, Supplier<R> body) {
        R response;
        try {
            response = body.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
