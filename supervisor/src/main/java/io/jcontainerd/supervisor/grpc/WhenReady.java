package io.jcontainerd.supervisor.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A service served before it is set up: the daemon answers on its socket as soon as the services a
 * first call needs are ready, and sets up the rest (CRI) after. A call to such a service waits until
 * its implementation is ready and then goes to it, so a client never sees an error or an empty answer
 * because the daemon is still starting; if the set-up failed, the call ends UNAVAILABLE naming why
 * (the daemon then stops). The wait happens where gRPC starts the call, on the server's executor
 * (one virtual thread per call), never on netty's event loop.
 */
public final class WhenReady {
    private WhenReady() {
    }

    /** Serves {@code descriptor}'s methods through the definition {@code ready} completes with. */
    public static ServerServiceDefinition service(ServiceDescriptor descriptor, CompletableFuture<ServerServiceDefinition> ready) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            add(b, m, ready);
        }
        return b.build();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> method,
                                   CompletableFuture<ServerServiceDefinition> ready) {
        b.addMethod(method, new ServerCallHandler<Q, R>() {
            @Override
            public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
                ServerServiceDefinition real;
                try {
                    real = ready.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    return refuse(call, method.getServiceName() + " could not start: " + cause.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return refuse(call, method.getServiceName() + " is not ready: the daemon is stopping");
                }
                @SuppressWarnings("unchecked")
                ServerMethodDefinition<Q, R> target = (ServerMethodDefinition<Q, R>) real.getMethod(method.getFullMethodName());
                if (target == null) {
                    call.close(Status.UNIMPLEMENTED.withDescription(method.getFullMethodName() + " is not implemented by jcontainerd"),
                            new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return target.getServerCallHandler().startCall(call, headers);
            }
        });
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String why) {
        call.close(Status.UNAVAILABLE.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() { };
    }
}
