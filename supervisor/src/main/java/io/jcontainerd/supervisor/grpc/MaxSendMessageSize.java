package io.jcontainerd.supervisor.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code grpc.max_send_message_size}: a response message larger than the limit is not sent; the call
 * ends with RESOURCE_EXHAUSTED and grpc-go's words ("grpc: trying to send message larger than max
 * (N vs. M)"), as containerd's server does. Messages of the call after that are dropped (grpc-java's
 * server builder has no outbound limit, hence this interceptor).
 */
public final class MaxSendMessageSize implements ServerInterceptor {
    private final int max;

    public MaxSendMessageSize(int max) {
        if (max <= 0) throw new IllegalArgumentException("max_send_message_size must be positive, not " + max);
        this.max = max;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean refused;

            @Override
            public synchronized void sendMessage(R message) {
                if (refused) return;
                long size = size(call, message);
                if (size > max) {
                    refused = true;
                    super.close(Status.RESOURCE_EXHAUSTED.withDescription(
                            "grpc: trying to send message larger than max (" + size + " vs. " + max + ")"), new Metadata());
                    return;
                }
                super.sendMessage(message);
            }

            @Override
            public synchronized void close(Status status, Metadata trailers) {
                if (!refused) super.close(status, trailers);
            }
        }, headers);
    }

    private static <R> long size(ServerCall<?, R> call, R message) {
        if (message instanceof MessageLite m) return m.getSerializedSize();
        try (InputStream in = call.getMethodDescriptor().streamResponse(message)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a " + call.getMethodDescriptor().getFullMethodName() + " response", e);
        }
    }
}
