package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import io.jcontainerd.supervisor.BuildInfo;
import io.jcontainerd.supervisor.grpc.Rpc;

/** containerd.services.version.v1.Version. */
public final class VersionService extends VersionGrpc.VersionImplBase {
    @Override
    public void version(Empty request, StreamObserver<VersionResponse> observer) {
        Rpc.unary(observer, () -> VersionResponse.newBuilder()
                .setVersion(BuildInfo.VERSION).setRevision(BuildInfo.REVISION).build());
    }
}
