package io.jcontainerd.shim;

import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.shim.v1.CloseIORequest;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.ConnectResponse;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.DeleteResponse;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PauseRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.ResizePtyRequest;
import io.jcontainerd.api.shim.v1.ResumeRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.StateResponse;
import io.jcontainerd.api.shim.v1.StatsRequest;
import io.jcontainerd.api.shim.v1.StatsResponse;
import io.jcontainerd.api.shim.v1.UpdateTaskRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.api.cgroups.v1.Metrics;
import io.jcontainerd.api.shim.v1.WaitResponse;
import io.jcontainerd.api.types.task.Status;
import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.ExitStatusFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real shims driving real runc containers (root): the runtime binary path, which any runtime but the
 * installation's own jrunc takes. {@link InProcessShimLifecycleIT} runs the same tests on jrunc in
 * the shim's JVM.
 */
class ShimLifecycleIT {
    private ShimHarness harness;

    /** The harness whose runtime the tests drive. */
    ShimHarness newHarness() throws Exception {
        return new ShimHarness(ShimHarness.RUNC);
    }

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void runsAProcessPassesItsOutputAndReportsItsExitStatus() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sh", "-c", "echo hello; exit 3");
        Path stdout = harness.fifo(id + ".out");
        try (RecordingEventsServer daemon = new RecordingEventsServer(harness.dir.resolve("daemon.sock"))) {
            ShimClient client = harness.startShim(id, bundle, harness.dir.resolve("daemon.sock"));
            ShimClient shim = client.withTimeout(Duration.ofSeconds(60));
            int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                    .setStdout(stdout.toString()).build()).getPid();
            assertThat(pid).isPositive();
            assertThat(state(shim, id).getStatus()).isEqualTo(Status.CREATED);
            CompletableFuture<String> output = readAll(stdout);
            CompletableFuture<WaitResponse> waited = CompletableFuture.supplyAsync(
                    () -> shim.wait(WaitRequest.newBuilder().setId(id).build()));

            assertThat(shim.start(StartRequest.newBuilder().setId(id).build()).getPid()).isEqualTo(pid);

            assertThat(waited.get(30, TimeUnit.SECONDS).getExitStatus()).isEqualTo(3);
            assertThat(output.get(10, TimeUnit.SECONDS)).isEqualTo("hello\n");
            StateResponse stopped = state(shim, id);
            assertThat(stopped.getStatus()).isEqualTo(Status.STOPPED);
            assertThat(stopped.getExitStatus()).isEqualTo(3);
            assertThat(stopped.hasExitedAt()).isTrue();
            assertThat(ExitStatusFile.read(bundle)).get().extracting(ExitStatus::status, ExitStatus::pid).containsExactly(3, pid);

            assertThat(daemon.next(10)).as("/tasks/create").extracting(Envelope::getTopic).isEqualTo("/tasks/create");
            assertThat(daemon.next(10)).as("/tasks/start").extracting(Envelope::getTopic).isEqualTo("/tasks/start");
            Envelope event = daemon.next(10);
            assertThat(event).as("the /tasks/exit event forwarded to the daemon").isNotNull();
            assertThat(event.getTopic()).isEqualTo("/tasks/exit");
            assertThat(event.getNamespace()).isEqualTo("default");
            assertThat(event.getEvent().getTypeUrl()).isEqualTo("containerd.events.TaskExit");
            TaskExit exit = AnyCodec.unpack(event.getEvent(), TaskExit.getDefaultInstance());
            assertThat(exit.getContainerId()).isEqualTo(id);
            assertThat(exit.getId()).isEqualTo(id);
            assertThat(exit.getPid()).isEqualTo(pid);
            assertThat(exit.getExitStatus()).isEqualTo(3);

            long shimPid = ShimFiles.pid(bundle);
            DeleteResponse deleted = shim.delete(DeleteRequest.newBuilder().setId(id).build());
            assertThat(bundle.resolve(ShimFiles.ADDRESS)).as("a deleted task leaves its shim").doesNotExist();
            assertThat(deleted.getExitStatus()).isEqualTo(3);
            assertThat(deleted.getPid()).isEqualTo(pid);
            assertThat(harness.runtimeList()).doesNotContain(id);
            assertThatThrownBy(() -> state(shim, id)).isInstanceOf(NotFoundException.class);
            Envelope deleteEvent = daemon.next(10);
            assertThat(deleteEvent.getTopic()).isEqualTo("/tasks/delete");
            assertThat(AnyCodec.unpack(deleteEvent.getEvent(), TaskDelete.getDefaultInstance()).getExitStatus()).isEqualTo(3);

            shim.shutdown(ShutdownRequest.newBuilder().setId(id).build());
            assertThat(ProcessHandle.of(shimPid).map(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join().isAlive()).orElse(false))
                    .as("shim exited after Shutdown").isFalse();
            assertThat(client.socket()).doesNotExist();
        }
    }

    @Test
    void sigkillOfTheInitIsReportedAs137() throws Exception {
        Running task = runningSleep();
        String id = task.id();
        ShimClient shim = task.shim();
        assertThat(state(shim, id).getStatus()).isEqualTo(Status.RUNNING);

        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());

        assertThat(shim.withTimeout(Duration.ofSeconds(30)).wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus())
                .isEqualTo(137);
        // Wait on a process that has exited answers at once, with the kept status.
        assertThat(shim.withTimeout(Duration.ofSeconds(2)).wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus())
                .isEqualTo(137);
        assertThatThrownBy(() -> shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("already exited");
    }

    @Test
    void deleteOfARunningTaskIsRefusedAndACreatedOneIsKilled() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();
        assertThatThrownBy(() -> shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()))
                .isInstanceOf(AlreadyExistsException.class);

        DeleteResponse deleted = shim.delete(DeleteRequest.newBuilder().setId(id).build());

        assertThat(deleted.getPid()).isEqualTo(pid);
        assertThat(ShimHarness.alive(pid)).isFalse();
    }

    @Test
    void execRunsInsideTheRunningContainer() throws Exception {
        Running task = runningSleep();
        String id = task.id();
        ShimClient shim = task.shim();
        int initPid = task.pid();
        Path out = harness.fifo(id + ".exec.out");
        CompletableFuture<String> output = readAll(out);

        shim.exec(ExecProcessRequest.newBuilder().setId(id).setExecId("e1").setStdout(out.toString())
                .setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS,
                        "{\"args\":[\"sh\",\"-c\",\"echo hi from $$; exit 4\"],\"cwd\":\"/\",\"env\":[\"PATH=/bin\"],\"user\":{\"uid\":0,\"gid\":0}}"))
                .build());
        int execPid = shim.start(StartRequest.newBuilder().setId(id).setExecId("e1").build()).getPid();

        assertThat(execPid).isPositive().isNotEqualTo(initPid);
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).setExecId("e1").build()).getExitStatus()).isEqualTo(4);
        assertThat(output.get(10, TimeUnit.SECONDS)).startsWith("hi from ");
        assertThat(state(shim, id).getStatus()).as("the init keeps running").isEqualTo(Status.RUNNING);
        assertThat(shim.pids(PidsRequest.newBuilder().setId(id).build()).getProcessesList())
                .extracting(p -> p.getPid()).contains(initPid);
        assertThat(shim.delete(DeleteRequest.newBuilder().setId(id).setExecId("e1").build()).getExitStatus()).isEqualTo(4);
        // SIGKILL: the init is PID 1 of its namespace, which ignores signals it has no handler for.
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(128 + 9);
    }

    @Test
    void pauseFreezesAndResumeThaws() throws Exception {
        Running task = runningSleep();
        String id = task.id();
        Path bundle = task.bundle();
        ShimClient shim = task.shim();
        int pid = task.pid();

        shim.pause(PauseRequest.newBuilder().setId(id).build());
        assertThat(state(shim, id).getStatus()).isEqualTo(Status.PAUSED);
        assertThat(Files.readString(Path.of("/proc/" + pid + "/stat"))).as("frozen: uninterruptible sleep").contains("(sleep) D ");
        assertThatThrownBy(() -> shim.delete(DeleteRequest.newBuilder().setId(id).build()))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("paused");

        shim.resume(ResumeRequest.newBuilder().setId(id).build());
        assertThat(state(shim, id).getStatus()).isEqualTo(Status.RUNNING);
    }

    @Test
    void updateAppliesResourcesAndStatsReportTheCgroup() throws Exception {
        Running task = runningSleep();
        String id = task.id();
        ShimClient shim = task.shim();

        shim.update(UpdateTaskRequest.newBuilder().setId(id)
                .setResources(AnyCodec.packJson(TypeUrls.OCI_LINUX_RESOURCES, "{\"pids\":{\"limit\":50}}")).build());
        StatsResponse stats = shim.stats(StatsRequest.newBuilder().setId(id).build());

        assertThat(stats.getStats().getTypeUrl()).isEqualTo("io.containerd.cgroups.v1.Metrics");
        Metrics metrics = AnyCodec.unpack(stats.getStats(), Metrics.getDefaultInstance());
        assertThat(metrics.getPids().getCurrent()).isEqualTo(1);
        assertThat(metrics.getPids().getLimit()).isEqualTo(50);
        assertThat(metrics.getMemory().getUsage().getUsage()).isPositive();
    }

    @Test
    void closeIoEndsTheProcessStdin() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "cat");
        Path in = harness.fifo(id + ".in");
        Path out = harness.fifo(id + ".out");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                .setStdin(in.toString()).setStdout(out.toString()).build());
        StringBuffer seen = new StringBuffer();
        CompletableFuture<String> output = readAll(out, seen);
        shim.start(StartRequest.newBuilder().setId(id).build());
        try (OutputStream stdin = Files.newOutputStream(in)) {
            stdin.write("typed in\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            // cat echoes what it read: once it has, CloseIO cannot cut the line off
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen.toString().contains("typed in\n") && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            // The client keeps its end open: only CloseIO can end cat's input.
            shim.closeIO(CloseIORequest.newBuilder().setId(id).setStdin(true).build());
            assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isZero();
        }
        assertThat(output.get(10, TimeUnit.SECONDS)).isEqualTo("typed in\n");
    }

    @Test
    void terminalProcessTalksThroughAPtyOfTheRequestedSize() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, true, "sh", "-c", "read line; stty size; echo got $line; exit 5");
        Path in = harness.fifo(id + ".in");
        Path out = harness.fifo(id + ".out");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).setTerminal(true)
                .setStdin(in.toString()).setStdout(out.toString()).build());
        CompletableFuture<String> output = readAll(out);
        shim.resizePty(ResizePtyRequest.newBuilder().setId(id).setWidth(123).setHeight(45).build());
        shim.start(StartRequest.newBuilder().setId(id).build());
        try (OutputStream stdin = Files.newOutputStream(in)) {
            stdin.write("ping\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(5);
        }
        assertThat(output.get(10, TimeUnit.SECONDS)).contains("45 123\r\n").contains("got ping\r\n");
    }

    @Test
    void shimOutlivesTheProcessThatStartedItInASessionOfItsOwn() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        Path socket = harness.dir.resolve(id + ".sock");
        List<String> command = harness.shimCommand(id, bundle, harness.dir.resolve("nodaemon.sock"), socket);
        // The starter backgrounds the shim and exits at once, as a dying supervisor would.
        Process launcher = new ProcessBuilder(concat(List.of("bash", "-c", "\"$@\" >" + harness.dir.resolve(id + ".shim.log")
                + " 2>&1 & echo $!", "starter"), command)).start();
        String launchedPid = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(launcher.waitFor()).isZero();
        long shimPid = harness.awaitShim(bundle, null);

        assertThat(Long.parseLong(launchedPid)).isEqualTo(shimPid);
        assertThat(ShimHarness.alive(shimPid)).isTrue();
        String stat = Files.readString(Path.of("/proc/" + shimPid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(fields[3]).as("session id = shim pid").isEqualTo(Long.toString(shimPid));
        ShimClient shim = harness.client(socket).withTimeout(Duration.ofSeconds(60));
        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();
        shim.start(StartRequest.newBuilder().setId(id).build());
        ConnectResponse connected = shim.connect(ConnectRequest.newBuilder().setId(id).build());
        assertThat(connected.getShimPid()).isEqualTo((int) shimPid);
        assertThat(connected.getTaskPid()).isEqualTo(pid);
        assertThat(connected.getProcessesList()).singleElement().satisfies(p -> assertThat(p.getStatus()).isEqualTo(Status.RUNNING));
        String initStat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        assertThat(initStat.substring(initStat.lastIndexOf(')') + 2).split(" ")[1])
                .as("the container init is the shim's child (subreaper)").isEqualTo(Long.toString(shimPid));
    }

    @Test
    void sigkilledShimLeavesItsContainerRunningUntilTheSupervisorCleansUp() throws Exception {
        Running task = runningSleep();
        String id = task.id();
        Path bundle = task.bundle();
        ShimClient shim = task.shim();
        int pid = task.pid();
        long shimPid = ShimFiles.pid(bundle);

        ProcessHandle.of(shimPid).orElseThrow().destroyForcibly();
        ProcessHandle.of(shimPid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());

        Thread.sleep(200);
        assertThat(ShimHarness.alive(pid)).as("nothing kills the container when its shim dies").isTrue();
        // what the supervisor's clean-up runs (supervisor/tasks/DeadShimCleanup, tested there with its timeout and mounts)
        Process delete = new ProcessBuilder(harness.runtime.toString(), "--root", harness.runtimeRoot.toString(),
                "delete", "--force", id).redirectErrorStream(true).start();
        assertThat(delete.waitFor(30, TimeUnit.SECONDS) && delete.exitValue() == 0).as("runtime delete --force").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ShimHarness.alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ShimHarness.alive(pid)).as("the container init is killed").isFalse();
        assertThat(harness.runtimeList()).doesNotContain(id);
        assertThat(Path.of("/sys/fs/cgroup/pids", id)).doesNotExist();
    }

    @Test
    void oneShimRunsAGroupOfContainersAndExitsAfterTheLastLeaves() throws Exception {
        String first = harness.newId();
        String second = harness.newId();
        Path firstBundle = harness.bundle(first, false, "sleep", "1000");
        Path secondBundle = harness.bundle(second, false, "sh", "-c", "exit 7");
        ShimClient client = harness.startShim(first, firstBundle, harness.dir.resolve("nodaemon.sock"));
        ShimClient shim = client.withTimeout(Duration.ofSeconds(60));
        long shimPid = ShimFiles.pid(firstBundle);
        shim.create(CreateTaskRequest.newBuilder().setId(first).setBundle(firstBundle.toString()).build());
        shim.start(StartRequest.newBuilder().setId(first).build());

        int secondPid = shim.create(CreateTaskRequest.newBuilder().setId(second).setBundle(secondBundle.toString()).build()).getPid();
        assertThat(ShimFiles.address(secondBundle)).as("the joining task's bundle names the shim").isEqualTo(client.socket());
        shim.start(StartRequest.newBuilder().setId(second).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(second).build()).getExitStatus()).isEqualTo(7);
        assertThat(state(shim, first).getStatus()).isEqualTo(Status.RUNNING);
        String stat = Files.readString(Path.of("/proc/" + shimPid + "/task/" + shimPid + "/children"));
        assertThat(stat).as("the shim reaped the second container's init").doesNotContain(Integer.toString(secondPid));
        assertThat(shim.connect(ConnectRequest.getDefaultInstance()).getProcessesList())
                .extracting(p -> p.getContainerId() + "=" + p.getStatus()).containsExactly(first + "=RUNNING", second + "=STOPPED");
        assertThatThrownBy(() -> shim.create(CreateTaskRequest.newBuilder().setId("other").setNamespace("k8s.io")
                .setBundle(secondBundle.toString()).build())).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace");

        shim.delete(DeleteRequest.newBuilder().setId(second).build());
        shim.shutdown(ShutdownRequest.newBuilder().setId(second).build());
        assertThat(secondBundle.resolve(ShimFiles.ADDRESS)).doesNotExist();
        Thread.sleep(300);
        assertThat(ShimHarness.alive(shimPid)).as("still runs the first container").isTrue();

        shim.kill(KillRequest.newBuilder().setId(first).setSignal(9).build());
        shim.wait(WaitRequest.newBuilder().setId(first).build());
        shim.delete(DeleteRequest.newBuilder().setId(first).build());
        shim.shutdown(ShutdownRequest.newBuilder().setId(first).build());
        assertThat(ProcessHandle.of(shimPid).map(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join().isAlive()).orElse(false))
                .as("shim exited after its last task left").isFalse();
    }

    @Test
    void exitEventWaitsForADaemonThatIsDownAndArrivesOnceItIsBack() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sh", "-c", "exit 9");
        Path daemonSocket = harness.dir.resolve("late-daemon.sock");
        ShimClient shim = harness.startShim(id, bundle, daemonSocket).withTimeout(Duration.ofSeconds(60));
        shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build());
        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(9);
        Thread.sleep(500);

        try (RecordingEventsServer daemon = new RecordingEventsServer(daemonSocket)) {
            assertThat(daemon.next(15)).as("events are retried until the daemon comes up, in order")
                    .extracting(Envelope::getTopic).isEqualTo("/tasks/create");
            assertThat(daemon.next(10).getTopic()).isEqualTo("/tasks/start");
            Envelope event = daemon.next(10);
            assertThat(event.getTopic()).isEqualTo("/tasks/exit");
            assertThat(AnyCodec.unpack(event.getEvent(), TaskExit.getDefaultInstance()).getExitStatus()).isEqualTo(9);
        }
    }

    @Test
    void stdoutAndStderrCanGoToAFile() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sh", "-c", "echo out; echo err >&2");
        Path log = harness.dir.resolve(id + ".out.txt");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                .setStdout("file://" + log).setStderr("file://" + log).build());
        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isZero();
        assertThat(log).content().contains("out\n").contains("err\n");
    }

    /** A started {@code sleep 1000} container with its own shim. */
    private record Running(String id, Path bundle, ShimClient shim, int pid) {
    }

    private Running runningSleep() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();
        shim.start(StartRequest.newBuilder().setId(id).build());
        return new Running(id, bundle, shim, pid);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static StateResponse state(ShimClient shim, String id) {
        return shim.state(StateRequest.newBuilder().setId(id).build());
    }

    /** Reads {@code fifo} to its end; what has arrived so far is in {@code seen}. */
    private static CompletableFuture<String> readAll(Path fifo, StringBuffer seen) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    all.write(buf, 0, n);
                    seen.setLength(0);
                    seen.append(all.toString(StandardCharsets.UTF_8));
                }
                return all.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    private static CompletableFuture<String> readAll(Path fifo) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }
}
