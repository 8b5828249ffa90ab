package io.jcontainerd.supervisor.grpc;

import com.google.protobuf.Empty;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.BuildInfo;
import io.jcontainerd.supervisor.services.VersionService;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A service the daemon serves before it is set up (CRI): its calls wait for it, never fail because it is not ready yet. */
class WhenReadyTest {
    @TempDir
    Path dir;

    /** Counts calls as they reach the server, before the service's handler. */
    private static final class Arrivals implements ServerInterceptor {
        final CountDownLatch first = new CountDownLatch(1);

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            first.countDown();
            return next.startCall(call, headers);
        }
    }

    @Test
    void aCallMadeBeforeTheServiceIsReadyWaitsAndThenGetsTheServicesAnswer() throws Exception {
        CompletableFuture<ServerServiceDefinition> ready = new CompletableFuture<>();
        Arrivals arrivals = new Arrivals();
        UnixGrpcServer server = UnixGrpcServer.start(dir.resolve("s.sock"), 16 << 20, 16 << 20,
                List.of(WhenReady.service(VersionGrpc.getServiceDescriptor(), ready)), List.of(arrivals));
        try (UnixGrpcChannel ch = new UnixGrpcChannel(server.path())) {
            var answer = VersionGrpc.newFutureStub(ch.raw()).withDeadlineAfter(60, TimeUnit.SECONDS).version(Empty.getDefaultInstance());
            assertThat(arrivals.first.await(60, TimeUnit.SECONDS)).as("the call reached the server").isTrue();
            assertThat(answer.isDone()).as("answered before the service was ready").isFalse();

            ready.complete(new VersionService().bindService());

            assertThat(answer.get(60, TimeUnit.SECONDS))
                    .isEqualTo(VersionResponse.newBuilder().setVersion(BuildInfo.VERSION).setRevision(BuildInfo.REVISION).build());
            assertThat(VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance()).getVersion()).isEqualTo(BuildInfo.VERSION);
        } finally {
            server.stop(1000);
        }
    }

    @Test
    void aServiceWhoseSetUpFailedAnswersUnavailableNamingWhy() throws Exception {
        CompletableFuture<ServerServiceDefinition> ready = new CompletableFuture<>();
        ready.completeExceptionally(JcdException.failedPrecondition("cannot listen on 127.0.0.1:1: permission denied"));
        UnixGrpcServer server = UnixGrpcServer.start(dir.resolve("s.sock"), 16 << 20, 16 << 20,
                List.of(WhenReady.service(VersionGrpc.getServiceDescriptor(), ready)), List.of());
        try (UnixGrpcChannel ch = new UnixGrpcChannel(server.path())) {
            assertThatThrownBy(() -> VersionGrpc.newBlockingStub(ch.raw()).version(Empty.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).isEqualTo(
                                "containerd.services.version.v1.Version could not start: cannot listen on 127.0.0.1:1: permission denied");
                    });
        } finally {
            server.stop(1000);
        }
    }
}
