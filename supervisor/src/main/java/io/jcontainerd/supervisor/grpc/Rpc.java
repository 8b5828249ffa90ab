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
