package io.jcontainerd.supervisor.grpc;

import com.google.protobuf.Empty;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.introspection.v1.ServerResponse;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon's socket runs its listed reads on the event loop and every other call on a virtual thread of its own. */
class InlineCallsTest {
    @TempDir
    Path dir;

    /** Where each call's interceptors and handler ran, by method. */
    private final Map<String, Thread> ranOn = new ConcurrentHashMap<>();

    private final ServerInterceptor where = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            ranOn.put(call.getMethodDescriptor().getFullMethodName() + " interceptor", Thread.currentThread());
            return next.startCall(call, headers);
        }
    };

    @Test
    void listedReadsRunOnTheEventLoopOthersOnVirtualThreadsAndABlockedCallHoldsNoRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        var version = new VersionGrpc.VersionImplBase() {
            @Override
            public void version(Empty request, StreamObserver<VersionResponse> o) {
                ranOn.put("version", Thread.currentThread());
                o.onNext(VersionResponse.newBuilder().setVersion("v").build());
                o.onCompleted();
            }
        };
        var introspection = new IntrospectionGrpc.IntrospectionImplBase() {
            @Override
            public void server(Empty request, StreamObserver<ServerResponse> o) {
                ranOn.put("server", Thread.currentThread());
                blocking.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS); // as a Tasks/Wait waits for an exit
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                o.onNext(ServerResponse.newBuilder().setUuid("u").build());
                o.onCompleted();
            }
        };
        String listed = VersionGrpc.getVersionMethod().getFullMethodName();
        UnixGrpcServer server = UnixGrpcServer.start(dir.resolve("s.sock"), 16 << 20, 16 << 20,
                List.of(version.bindService(), introspection.bindService()), List.of(where), Set.of(listed));
        try (UnixGrpcChannel ch = new UnixGrpcChannel(server.path())) {
            var waiting = IntrospectionGrpc.newFutureStub(ch.raw()).withDeadlineAfter(60, TimeUnit.SECONDS).server(Empty.getDefaultInstance());
            assertThat(blocking.await(60, TimeUnit.SECONDS)).as("the unlisted call is running").isTrue();

            // on the same connection (one event loop) while the other call blocks
            assertThat(VersionGrpc.newBlockingStub(ch.raw()).withDeadlineAfter(60, TimeUnit.SECONDS).version(Empty.getDefaultInstance())
                    .getVersion()).isEqualTo("v");
            assertThat(waiting.isDone()).isFalse();
            release.countDown();
            assertThat(waiting.get(60, TimeUnit.SECONDS).getUuid()).isEqualTo("u");

            assertThat(ranOn.get("version").isVirtual()).isFalse();
            assertThat(ranOn.get("version").getName()).startsWith("epollEventLoopGroup-");
            assertThat(ranOn.get(listed + " interceptor")).isSameAs(ranOn.get("version"));
            assertThat(ranOn.get("server").isVirtual()).isTrue();
            assertThat(ranOn.get(IntrospectionGrpc.getServerMethod().getFullMethodName() + " interceptor").isVirtual()).isTrue();
        } finally {
            server.stop(1000);
        }
    }
}
