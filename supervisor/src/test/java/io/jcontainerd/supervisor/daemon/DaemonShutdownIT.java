package io.jcontainerd.supervisor.daemon;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.leases.v1.ListRequest;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM while a large pull runs and other calls keep arriving: the pull ends UNAVAILABLE, every
 * other call ends OK or UNAVAILABLE, the daemon exits as SIGTERM asks (no JVM crash), and the
 * next start finds a database it can open.
 */
class DaemonShutdownIT {
    @TempDir
    Path dir;

    @Test
    void callsInFlightDuringShutdownEndOkOrUnavailableAndTheDaemonExitsCleanly() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"),
                "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n");
        DaemonProcess daemon = DaemonProcess.start(dir, "--config", config.toString());
        Map<Status.Code, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        Set<String> unexpected = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        try (daemon; UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
            CompletableFuture<Status.Code> pull = CompletableFuture.supplyAsync(() -> {
                try {
                    PullGrpc.newBlockingStub(ch.namespaced("default")).pull(PullRequest.newBuilder()
                            .setReference(TestRegistry.dockerHubReference("large:latest")).setUnpack(true).build())
                            .forEachRemaining(e -> { });
                    return Status.Code.OK;
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                        unexpected.add("pull: " + e.getStatus());
                    }
                    return e.getStatus().getCode();
                }
            }, Thread::startVirtualThread);
            List<CompletableFuture<Void>> callers = java.util.stream.IntStream.range(0, 3).mapToObj(n ->
                    CompletableFuture.runAsync(() -> {
                        var leases = LeasesGrpc.newBlockingStub(ch.namespaced("shutdown-" + n));
                        for (int i = 0; !stop.get() && i < 100_000; i++) {
                            try {
                                leases.create(CreateRequest.newBuilder().setId("l" + i).build());
                                leases.list(ListRequest.getDefaultInstance());
                                leases.delete(DeleteRequest.newBuilder().setId("l" + i).build());
                                outcomes.computeIfAbsent(Status.Code.OK, c -> new AtomicInteger()).incrementAndGet();
                            } catch (StatusRuntimeException e) {
                                Status.Code code = e.getStatus().getCode();
                                outcomes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                                if (code != Status.Code.UNAVAILABLE && code != Status.Code.NOT_FOUND) {
                                    unexpected.add("lease call: " + e.getStatus());
                                }
                                if (code == Status.Code.UNAVAILABLE) {
                                    return;
                                }
                            }
                        }
                    }, Thread::startVirtualThread)).toList();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ingestedBytes(dir.resolve("root/content/ingest")) < 1_000_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pull).as("the pull is still running when SIGTERM comes").isNotDone();
            int exit = daemon.stop();
            stop.set(true);
            assertThat(pull.get(30, TimeUnit.SECONDS)).as("how the pull ended").isEqualTo(Status.Code.UNAVAILABLE);
            CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(daemon.log()).as("daemon log").doesNotContain("fatal error").doesNotContain("SIGSEGV");
            assertThat(exit).as("exit status after SIGTERM (128 + 15)").isEqualTo(143);
            assertThat(unexpected).as("calls that ended otherwise than OK or UNAVAILABLE").isEmpty();
            assertThat(outcomes.get(Status.Code.OK)).as("calls that succeeded before the shutdown").isNotNull();
        }
        DaemonProcess again = DaemonProcess.start(dir, "--config", config.toString());
        try (again; UnixGrpcChannel ch = new UnixGrpcChannel(again.socket())) {
            assertThat(LeasesGrpc.newBlockingStub(ch.namespaced("default")).list(ListRequest.getDefaultInstance())
                    .getLeasesList()).as("the stopped pull released its lease").isEmpty();
        }
    }

    private static long ingestedBytes(Path ingest) throws IOException {
        if (!Files.isDirectory(ingest)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(ingest)) {
            return walk.filter(p -> p.getFileName().toString().equals("data")).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.UncheckedIOException movedWhileWalking) {
            return 0;
        }
    }
}
