package io.jcontainerd.supervisor.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

/**
 * A service we declare but do not serve yet: every method answers UNIMPLEMENTED naming the
 * method, so a client sees which call is missing rather than a bare "unknown service".
 */
public final class NotYetImplemented {
    private NotYetImplemented() {
    }

    public static ServerServiceDefinition service(ServiceDescriptor descriptor) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            add(b, m);
        }
        return b.build();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> method) {
        b.addMethod(method, new ServerCallHandler<Q, R>() {
            @Override
            public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
                call.close(Status.UNIMPLEMENTED.withDescription(method.getFullMethodName()
                        + " is not implemented by jcontainerd yet"), new Metadata());
                return new ServerCall.Listener<>() { };
            }
        });
    }
}
