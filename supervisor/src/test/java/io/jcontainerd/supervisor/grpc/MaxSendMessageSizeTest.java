package io.jcontainerd.supervisor.grpc;

import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import io.jcontainerd.supervisor.BuildInfo;
import io.jcontainerd.supervisor.services.VersionService;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** grpc.max_send_message_size on the daemon's real server: a larger response is RESOURCE_EXHAUSTED, as grpc-go says it. */
class MaxSendMessageSizeTest {
    @TempDir
    Path dir;

    @Test
    void aResponseLargerThanTheLimitEndsTheCallWithResourceExhaustedAndASmallerOneIsSent() throws Exception {
        int versionSize = VersionResponse.newBuilder().setVersion(BuildInfo.VERSION).setRevision(BuildInfo.REVISION).build().getSerializedSize();
        int limit = versionSize - 1;
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        HealthStatusManager health = new HealthStatusManager();
        UnixGrpcServer server = UnixGrpcServer.start(dir.resolve("s.sock"), 16 << 20, limit,
                List.of(new VersionService().bindService(), health.getHealthService().bindService()), List.of(new CallMetrics(meters)));
        try (UnixGrpcChannel ch = new UnixGrpcChannel(server.path())) {
            assertThatThrownBy(() -> VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("grpc: trying to send message larger than max (" + versionSize + " vs. " + limit + ")");
                    });
            assertThat(HealthGrpc.newBlockingStub(ch.raw()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(meters.get("jcontainerd.grpc.calls").tag("method", "containerd.services.version.v1.Version/Version")
                    .tag("code", "RESOURCE_EXHAUSTED").timer().count()).isEqualTo(1);
        } finally {
            server.stop(1000);
        }
    }

    @Test
    void aLimitOfTheResponseSizeExactlyLetsItThrough() throws Exception {
        VersionResponse expected = VersionResponse.newBuilder().setVersion(BuildInfo.VERSION).setRevision(BuildInfo.REVISION).build();
        UnixGrpcServer server = UnixGrpcServer.start(dir.resolve("s.sock"), 16 << 20, expected.getSerializedSize(),
                List.of(new VersionService().bindService()), List.of());
        try (UnixGrpcChannel ch = new UnixGrpcChannel(server.path())) {
            assertThat(VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance())).isEqualTo(expected);
        } finally {
            server.stop(1000);
        }
    }
}
