package io.jcontainerd.ctr.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;

/** gRPC calls over one {@link Http2Connection}: what the generated stubs call. */
final class Http2Channel extends Channel {
    private final Http2Connection connection;
    private final int maxMessage;

    Http2Channel(Http2Connection connection, int maxMessage) {
        this.connection = connection;
        this.maxMessage = maxMessage;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        return new GrpcCall<>(connection, method, options, maxMessage);
    }

    @Override
    public String authority() {
        return GrpcHeaders.AUTHORITY;
    }
}
