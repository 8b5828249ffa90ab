package io.jcontainerd.shim;

import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShimLifecycleIT}'s tests on the installation's own jrunc, which the shim runs in its JVM
 * (the path every container of the daemon takes by default), plus what is particular to it.
 */
class InProcessShimLifecycleIT extends ShimLifecycleIT {
    private ShimHarness harness;

    @Override
    ShimHarness newHarness() throws Exception {
        harness = new ShimHarness(ShimHarness.JRUNC);
        return harness;
    }

    @Test
    void theInitIsTheShimsOwnChildAndTheJruncCommandSeesTheContainer() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();
        long shimPid = ShimFiles.pid(bundle);

        assertThat(Files.readString(harness.dir.resolve(id + ".shim.log"))).contains("runtime " + ShimHarness.JRUNC + " in-process");
        assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(shimPid);
        assertThat(harness.runtimeList()).contains(id).contains("created");
        assertThat(ShimHarness.run(harness.dir, ShimHarness.JRUNC.toString(), "--root", harness.runtimeRoot.toString(), "state", id))
                .contains("\"pid\": " + pid).contains("\"status\": \"created\"");

        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(harness.runtimeList()).contains("running");
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(137);
        shim.delete(DeleteRequest.newBuilder().setId(id).build());
        assertThat(harness.runtimeList()).doesNotContain(id);
    }

    @Test
    void concurrentCreatesInOneShimKeepTheirOwnStdioAndLeaveNoThreadFdOrNamespaceBehind() throws Exception {
        String keeper = harness.newId();
        Path keeperBundle = harness.bundle(keeper, false, "sleep", "1000");
        ShimClient client = harness.startShim(keeper, keeperBundle, harness.dir.resolve("nodaemon.sock"));
        ShimClient shim = client.withTimeout(Duration.ofSeconds(120));
        long shimPid = ShimFiles.pid(keeperBundle);
        shim.create(CreateTaskRequest.newBuilder().setId(keeper).setBundle(keeperBundle.toString()).build());
        shim.start(StartRequest.newBuilder().setId(keeper).build());
        runInParallel(shim, 1); // warm-up: the shim's pools and lazily opened files reach their steady state
        List<String> fdsBefore = settledFds(shimPid);

        for (int round = 0; round < 3; round++) {
            runInParallel(shim, 4);
        }
        // exits are handled (stdio drained and closed) after Wait answers: until the files are back, or 30 s
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!fds(shimPid).equals(fdsBefore) && System.nanoTime() < until) {
            Thread.sleep(50);
        }

        assertThat(fds(shimPid)).as("open files of the shim").isEqualTo(fdsBefore);
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        try (var threads = Files.list(Path.of("/proc/" + shimPid + "/task"))) {
            for (Path thread : threads.toList()) {
                String name = Files.readString(thread.resolve("comm")).strip();
                assertThat(name).as("a create's thread outlived it").doesNotStartWith("jrunc-");
                for (String ns : List.of("mnt", "net", "pid_for_children", "uts", "ipc")) {
                    assertThat(Files.readSymbolicLink(thread.resolve("ns/" + ns)).toString())
                            .as(name + " " + ns).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString());
                }
            }
        }
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + shimPid + "/ns/mnt")).toString()).isEqualTo(hostMnt);
        shim.kill(KillRequest.newBuilder().setId(keeper).setSignal(9).build());
        shim.wait(WaitRequest.newBuilder().setId(keeper).build());
        shim.delete(DeleteRequest.newBuilder().setId(keeper).build());
    }

    @Test
    void theShimKeepsASpareInitOnlyWhileItRunsNoContainerAndTheCreateTakesIt() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sh", "-c", "exit 6");
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        long shimPid = ShimFiles.pid(bundle);
        long sparePid = awaitSpare(shimPid);

        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();

        assertThat((long) pid).as("the init is the spare").isEqualTo(sparePid);
        assertThat(children(shimPid)).as("no spare beside a container").containsExactly((long) pid);
        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(6);
        shim.delete(DeleteRequest.newBuilder().setId(id).build());
        long nextSpare = awaitSpare(shimPid);
        assertThat(nextSpare).as("a shim whose last task left starts another").isNotEqualTo(sparePid);
        shim.shutdown(ShutdownRequest.newBuilder().setId(id).build());
        ProcessHandle.of(shimPid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        for (int i = 0; i < 100 && Files.exists(Path.of("/proc/" + nextSpare)); i++) {
            Thread.sleep(50);
        }
        assertThat(Path.of("/proc/" + nextSpare)).as("the spare ends with its shim").doesNotExist();
    }

    @Test
    void aHostNetworkCreateTakesTheSpareWhichMovesIntoTheShimsNetworkNamespace() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        withoutNamespace(bundle, "network"); // docker run --network host, a hostNetwork pod
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        long shimPid = ShimFiles.pid(bundle);
        long sparePid = awaitSpare(shimPid);
        String born = Files.readSymbolicLink(Path.of("/proc/" + sparePid + "/ns/net")).toString();
        String shimNet = Files.readSymbolicLink(Path.of("/proc/" + shimPid + "/ns/net")).toString();

        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();

        assertThat((long) pid).as("the init is the spare").isEqualTo(sparePid);
        assertThat(born).as("the spare was born in a network namespace of its own").isNotEqualTo(shimNet);
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString()).as("the created init's network namespace")
                .isEqualTo(shimNet);
        shim.start(StartRequest.newBuilder().setId(id).build());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString()).as("start returns once the program holds the pid")
                .endsWith("/busybox");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString()).as("the container's process").isEqualTo(shimNet);
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        shim.wait(WaitRequest.newBuilder().setId(id).build());
        shim.delete(DeleteRequest.newBuilder().setId(id).build());
    }

    @Test
    void aFirstCreateTheSpareDoesNotFitStartsAFreshInitAndEndsTheSpare() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        withoutNamespace(bundle, "pid"); // the host's pid namespace: the spare was born in a new one, for good
        ShimClient shim = harness.startShim(id, bundle, harness.dir.resolve("nodaemon.sock")).withTimeout(Duration.ofSeconds(60));
        long shimPid = ShimFiles.pid(bundle);
        long sparePid = awaitSpare(shimPid);

        int pid = shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()).getPid();

        assertThat((long) pid).isNotEqualTo(sparePid);
        assertThat(children(shimPid)).as("the init alone: the spare was ended and reaped").containsExactly((long) pid);
        shim.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
        shim.wait(WaitRequest.newBuilder().setId(id).build());
        shim.delete(DeleteRequest.newBuilder().setId(id).build());
    }

    /** Removes {@code type} from the bundle's linux.namespaces: the container keeps the host's. */
    private static void withoutNamespace(Path bundle, String type) throws Exception {
        String config = Files.readString(bundle.resolve("config.json"));
        Files.writeString(bundle.resolve("config.json"), config.replaceAll("\\{\\s*\"type\"\\s*:\\s*\"" + type + "\"\\s*}\\s*,?", ""));
        assertThat(Files.readString(bundle.resolve("config.json"))).doesNotContain("\"" + type + "\"");
    }

    /** The pid of the spare init stage the shim starts (a java child of the jail's argument file, waiting with argument "spare"). */
    private static long awaitSpare(long shimPid) throws Exception {
        for (int i = 0; i < 300; i++) {
            for (long child : children(shimPid)) {
                String cmdline = Files.readString(Path.of("/proc/" + child + "/cmdline")).replace('\0', ' ');
                if (cmdline.contains(" @" + io.jcontainerd.runtime.container.InitCommand.ARG_FILE + " ") && cmdline.strip().endsWith(" spare")) {
                    return child;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the shim started no spare init stage: children " + children(shimPid));
    }

    private static List<Long> children(long pid) {
        return ProcessHandle.of(pid).orElseThrow().children().map(ProcessHandle::pid).toList();
    }

    /** {@code n} containers created, started, awaited and deleted at once, each echoing its id to its own file. */
    private void runInParallel(ShimClient shim, int n) throws Exception {
        List<CompletableFuture<Void>> runs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = harness.newId();
            Path bundle = harness.bundle(id, false, "sh", "-c", "echo I am " + id + "; echo err " + id + " >&2; exit 4");
            Path out = harness.dir.resolve(id + ".out"), err = harness.dir.resolve(id + ".err");
            runs.add(CompletableFuture.runAsync(() -> {
                shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                        .setStdout("file://" + out).setStderr("file://" + err).build());
                shim.start(StartRequest.newBuilder().setId(id).build());
                assertThat(shim.wait(WaitRequest.newBuilder().setId(id).build()).getExitStatus()).isEqualTo(4);
                shim.delete(DeleteRequest.newBuilder().setId(id).build());
                try {
                    assertThat(Files.readString(out)).isEqualTo("I am " + id + "\n");
                    assertThat(Files.readString(err)).isEqualTo("err " + id + "\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    /** What the shim has open, by target (fd numbers may be reused in any order). */
    private static List<String> fds(long pid) throws Exception {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            List<String> targets = new java.util.ArrayList<>();
            for (Path fd : fds.toList()) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    // sockets, pipes and anonymous inodes are named by inode: count them, not name them
                    targets.add(t.replaceAll("\\[\\d+]", "[]"));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the listing's own directory fd
                }
            }
            return targets.stream().sorted().toList();
        }
    }

    /** The shim's open files once they stop changing: the same in 3 reads 100 ms apart (at most 30 s). */
    private static List<String> settledFds(long pid) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> last = fds(pid);
        int same = 0;
        while (same < 2 && System.nanoTime() < until) {
            Thread.sleep(100);
            List<String> now = fds(pid);
            same = now.equals(last) ? same + 1 : 0;
            last = now;
        }
        return last;
    }
}
