package io.jcontainerd.shim;

import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shim started without a task (the supervisor's spare): it takes tasks of any namespace, each
 * one's events under its own namespace, and it ends when it has no task and nobody wants it.
 */
class SpareShimIT {
    private ShimHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new ShimHarness();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void runsTasksOfTwoNamespacesWithEachOnesEventsAndExitsWhenToldAfterTheLastIsDeleted() throws Exception {
        Path daemonSocket = harness.dir.resolve("daemon.sock");
        try (RecordingEventsServer daemon = new RecordingEventsServer(daemonSocket)) {
            ShimHarness.Spare spare = harness.startSpare("spare", daemonSocket);
            ShimClient shim = spare.client().withTimeout(Duration.ofSeconds(60));
            assertThat(shim.connect(ConnectRequest.getDefaultInstance()).getProcessesList()).as("no task yet").isEmpty();
            String first = harness.newId();
            String second = harness.newId();
            Path firstBundle = harness.bundle(first, false, "sh", "-c", "exit 3");
            Path secondBundle = harness.bundle(second, false, "sleep", "1000");
            assertThatThrownBy(() -> shim.create(CreateTaskRequest.newBuilder().setId(first).setBundle(firstBundle.toString()).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace is required");

            shim.create(CreateTaskRequest.newBuilder().setId(first).setNamespace("default").setBundle(firstBundle.toString()).build());
            shim.create(CreateTaskRequest.newBuilder().setId(second).setNamespace("other-ns").setBundle(secondBundle.toString()).build());
            assertThat(ShimFiles.pid(firstBundle)).isEqualTo(spare.pid());
            assertThat(ShimFiles.address(secondBundle)).isEqualTo(spare.client().socket());
            shim.start(StartRequest.newBuilder().setId(first).build());
            shim.start(StartRequest.newBuilder().setId(second).build());
            assertThat(shim.wait(WaitRequest.newBuilder().setId(first).build()).getExitStatus()).isEqualTo(3);
            shim.delete(DeleteRequest.newBuilder().setId(first).build());
            assertThat(firstBundle.resolve(ShimFiles.ADDRESS)).as("a deleted task leaves the group").doesNotExist();
            shim.shutdown(ShutdownRequest.getDefaultInstance());
            Thread.sleep(500);
            assertThat(ShimHarness.alive(spare.pid())).as("a shutdown while a task runs is ignored").isTrue();

            shim.kill(KillRequest.newBuilder().setId(second).setSignal(9).build());
            shim.wait(WaitRequest.newBuilder().setId(second).build());
            shim.delete(DeleteRequest.newBuilder().setId(second).build());
            assertThat(ShimHarness.alive(spare.pid())).as("an empty group waits to be told").isTrue();
            shim.shutdown(ShutdownRequest.getDefaultInstance());
            awaitExit(spare.pid(), 10);

            List<String> seen = new ArrayList<>();
            for (Envelope e = daemon.next(10); e != null; e = daemon.next(2)) {
                seen.add(e.getNamespace() + " " + e.getTopic());
            }
            assertThat(seen).filteredOn(s -> s.endsWith("/tasks/create") || s.endsWith("/tasks/delete"))
                    .containsExactly("default /tasks/create", "other-ns /tasks/create", "default /tasks/delete", "other-ns /tasks/delete");
        }
    }

    @Test
    void anIdleShimExitsWhenItsSocketIsRemoved() throws Exception {
        Path daemonSocket = harness.dir.resolve("daemon.sock");
        try (RecordingEventsServer daemon = new RecordingEventsServer(daemonSocket)) {
            ShimHarness.Spare spare = harness.startSpare("unwanted", daemonSocket);
            Files.delete(spare.client().socket());
            awaitExit(spare.pid(), 5);
            assertThat(harness.logs()).contains("exiting with no task to run: its socket").contains("was removed");
        }
    }

    @Test
    void anIdleShimExitsWhenTheSupervisorIsGoneForGoodButOneWithATaskStays() throws Exception {
        Path daemonSocket = harness.dir.resolve("daemon.sock");
        ShimHarness.Spare spare;
        ShimHarness.Spare busy;
        String id = harness.newId();
        try (RecordingEventsServer daemon = new RecordingEventsServer(daemonSocket)) {
            spare = harness.startSpare("orphaned", daemonSocket);
            busy = harness.startSpare("busy", daemonSocket);
            Path bundle = harness.bundle(id, false, "sleep", "1000");
            ShimClient shim = busy.client().withTimeout(Duration.ofSeconds(60));
            shim.create(CreateTaskRequest.newBuilder().setId(id).setNamespace("default").setBundle(bundle.toString()).build());
            shim.start(StartRequest.newBuilder().setId(id).build());
            Thread.sleep(1500);
            assertThat(ShimHarness.alive(spare.pid())).as("idle while the supervisor answers").isTrue();
        }
        awaitExit(spare.pid(), IdleExit.GONE.toSeconds() + 10);
        assertThat(harness.logs()).contains("has not answered for " + IdleExit.GONE.toSeconds() + " s");
        assertThat(ShimHarness.alive(busy.pid())).as("a shim with a running container outlives the supervisor").isTrue();
        ShimClient shim = busy.client().withTimeout(Duration.ofSeconds(60));
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        shim.wait(WaitRequest.newBuilder().setId(id).build());
    }

    private static void awaitExit(long pid, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (ShimHarness.alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ShimHarness.alive(pid)).as("shim " + pid + " exited within " + seconds + " s").isFalse();
    }
}
