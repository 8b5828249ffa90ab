package io.jcontainerd.supervisor.tasks;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.tasks.v1.UpdateTaskRequest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.testsupport.Await;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.CtrFifos;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestCgroups;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * containerd's own ctr runs containers through our daemon, shims and jrunc, as its users do:
 * output, exit codes, detached tasks, kill, remove, and a daemon killed while containers run.
 */
class CtrRunIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    @TempDir
    Path dir;
    DaemonProcess daemon;
    /** Makes container ids unique: the runtime's state under /run/jrunc/<ns> is shared with other daemons. */
    final String u = "-" + java.util.UUID.randomUUID().toString().substring(0, 6);
    /**
     * The test's namespaces, its own: ctr run puts each container's cgroup under /&lt;namespace&gt; in every
     * hierarchy, which the runtime keeps; {@link #stop} removes these two (never a shared one such as /default).
     */
    final String ns = TestNamespaces.unique("ctr");
    final String other = TestNamespaces.unique("ctr-other");

    @BeforeEach
    void start() {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        daemon = DaemonProcess.start(dir);
        Cli.Result pull = ctr("images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE);
        assertThat(pull.exit()).as(pull.toString()).isZero();
    }

    @AfterEach
    void stop() {
        // Whatever a failed test left running: kill and remove it through the API, by id, in every namespace.
        for (String ns : ctr("namespaces", "ls", "-q").out().lines().toList()) {
            for (String id : ctrIn(ns, "tasks", "ls", "-q").out().lines().toList()) {
                ctrIn(ns, "tasks", "kill", "-s", "SIGKILL", id);
            }
            for (String id : ctrIn(ns, "containers", "ls", "-q").out().lines().toList()) {
                ctrIn(ns, "tasks", "rm", "-f", id);
                ctrIn(ns, "containers", "rm", id);
            }
        }
        daemon.close();
        CtrFifos.removeOf(u + "-"); // a failed test's ctr FIFOs (every id here ends with u)
        assertThat(mountsUnder(dir)).as("mounts left under " + dir).isEmpty();
        // group shims exit with their last task, the spare with the daemon
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!daemon.shims().isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
        }
        List<ProcessHandle> left = daemon.shims();
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("shim processes left after the daemon stopped").isEmpty();
        assertThat(TestNamespaces.remove(ns)).as("cgroups and runtime state left of namespace " + ns).isEmpty();
        assertThat(TestNamespaces.remove(other)).as("cgroups and runtime state left of namespace " + other).isEmpty();
    }

    Cli.Result ctr(String... args) {
        return ctrIn(ns, args);
    }

    Cli.Result ctrIn(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", ns));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, java.util.Map.of(), 120);
    }

    @Test
    void runRemovePrintsOutputAndPassesTheExitCodeThrough() {
        Cli.Result hello = ctr("run", "--rm", IMAGE, "hello", "echo", "hello from busybox");
        assertThat(hello.exit()).as(hello.toString()).isZero();
        assertThat(hello.out()).isEqualTo("hello from busybox\n");

        Cli.Result seven = ctr("run", "--rm", IMAGE, "seven", "sh", "-c", "echo $$; exit 7");
        assertThat(seven.exit()).as(seven.toString()).isEqualTo(7);
        assertThat(seven.out().strip()).as("the process is PID 1 of its namespace").isEqualTo("1");

        assertThat(ctr("containers", "ls", "-q").out()).isEmpty();
        assertThat(ctr("snapshots", "ls").out()).doesNotContain("hello").doesNotContain("seven");
        assertThat(dir.resolve("state/tasks/" + ns + "/hello")).doesNotExist();
    }

    @Test
    void detachedTaskIsListedKilledAndRemoved() {
        Cli.Result run = ctr("run", "-d", IMAGE, "web", "sleep", "1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        Cli.Result ls = ctr("tasks", "ls");
        Matcher m = Pattern.compile("(?m)^web +(\\d+) +RUNNING").matcher(ls.out());
        assertThat(m.find()).as(ls.out()).isTrue();
        long pid = Long.parseLong(m.group(1));
        assertThat(ProcessHandle.of(pid)).isPresent();

        assertThat(ctr("containers", "rm", "web").err()).contains("cannot delete a non stopped container");
        assertThat(ctr("tasks", "kill", "-s", "SIGKILL", "web").exit()).isZero();
        awaitStatus("web", "STOPPED");
        assertThat(ctr("tasks", "rm", "web").exit()).isZero();
        assertThat(ctr("containers", "rm", "web").exit()).isZero();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ctr("tasks", "ls", "-q").out()).isEmpty();
    }

    @Test
    void containersKeepRunningWhileTheDaemonIsKilledAndAreFoundAgain() throws Exception {
        // a spare kept beside the running group, so that one is left by the killed daemon
        Path config = Files.writeString(dir.resolve("spare-while-running.toml"), "[shim]\nspare_while_running = true\n");
        daemon.close();
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            Cli.Result run = ctr("run", "-d", IMAGE, "survivor" + i, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
        }
        // the quitter exits when the test creates /go in its rootfs, while the daemon is down
        Cli.Result quitter = ctr("run", "-d", IMAGE, "quitter", "sh", "-c", "until [ -e /go ]; do sleep 0.05; done; exit 5");
        assertThat(quitter.exit()).as(quitter.toString()).isZero();
        String ls = ctr("tasks", "ls").out();
        for (int i = 1; i <= 5; i++) {
            Matcher m = Pattern.compile("(?m)^survivor" + i + " +(\\d+) +RUNNING").matcher(ls);
            assertThat(m.find()).as(ls).isTrue();
            pids.put("survivor" + i, Long.parseLong(m.group(1)));
        }

        long groupShim = shimPid(ns, "survivor1");
        List<ProcessHandle> spares = daemon.awaitShims(2, 90).stream().filter(p -> p.pid() != groupShim).toList();

        Matcher q = Pattern.compile("(?m)^quitter +(\\d+) +RUNNING").matcher(ls);
        assertThat(q.find()).as(ls).isTrue();
        ProcessHandle quitterProcess = ProcessHandle.of(Long.parseLong(q.group(1))).orElseThrow();

        daemon.kill();
        // quitter exits while nobody supervises the shims but themselves
        Files.writeString(dir.resolve("state/tasks/" + ns + "/quitter/rootfs/go"), "");
        quitterProcess.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        pids.forEach((id, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as(id + " outlives the daemon").isTrue());
        assertThat(spares).as("the idle spare waits for a daemon that may come back").hasSize(1).allMatch(ProcessHandle::isAlive);
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        assertThat(shimPid(ns, "survivor1")).as("the same group shim, reconnected").isEqualTo(groupShim);
        for (ProcessHandle spare : spares) {
            assertThat(spare.onExit().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join().isAlive())
                    .as("the spare left from before the restart is stopped").isFalse();
        }
        daemon.awaitShims(2, 90);

        String after = ctr("tasks", "ls").out();
        pids.forEach((id, pid) -> assertThat(after).containsPattern("(?m)^" + id + " +" + pid + " +RUNNING"));
        assertThat(after).containsPattern("(?m)^quitter +\\d+ +STOPPED");
        Cli.Result rm = ctr("tasks", "rm", "quitter");
        assertThat(rm.exit()).isZero();
        assertThat(rm.err()).as("the real exit status, learnt after the restart").contains("exit code 5");
        for (String id : pids.keySet()) {
            assertThat(ctr("tasks", "kill", "-s", "SIGKILL", id).exit()).isZero();
            awaitStatus(id, "STOPPED");
            assertThat(ctr("tasks", "rm", id).exit()).isZero();
            assertThat(ctr("containers", "rm", id).exit()).isZero();
        }
        assertThat(ctr("containers", "rm", "quitter").exit()).isZero();
    }

    @Test
    void aKilledGroupShimStopsEveryTaskInItKillsTheContainersAndLeavesNoMountsOrCgroups() throws Exception {
        List<String> ids = List.of("orphan1" + u, "orphan2" + u, "orphan3" + u);
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        for (String id : ids) {
            Cli.Result run = ctr("run", "-d", IMAGE, id, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
            Matcher m = Pattern.compile("(?m)^" + id + " +(\\d+) +RUNNING").matcher(ctr("tasks", "ls").out());
            assertThat(m.find()).isTrue();
            pids.put(id, Long.parseLong(m.group(1)));
        }
        long shim = shimPid(ns, "orphan1" + u);
        assertThat(ids).allSatisfy(id -> assertThat(shimPid(ns, id)).isEqualTo(shim));
        assertThat(cgroupsOf(ids)).as("the containers' cgroups").isNotEmpty();

        ProcessHandle.of(shim).orElseThrow().destroyForcibly();
        ids.forEach(id -> awaitStatus(id, "STOPPED"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (pids.values().stream().anyMatch(CtrRunIT::alive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        pids.forEach((id, pid) -> assertThat(alive(pid)).as(id + "'s process killed").isFalse());
        assertThat(mountsUnder(dir.resolve("state/tasks"))).isEmpty();
        assertThat(cgroupsOf(ids)).as("the containers' cgroups are removed").isEmpty();
        assertThat(daemon.log()).contains("shim").contains("(pid " + shim + ") died with 3 task(s) in it");
        Cli.Result info = ctr("tasks", "ls");
        for (String id : ids) {
            assertThat(info.out()).containsPattern("(?m)^" + id + " +\\d+ +STOPPED");
            Cli.Result rm = ctr("tasks", "rm", id);
            assertThat(rm.exit()).isZero();
            assertThat(rm.err()).contains("exit code 137");
            assertThat(ctr("containers", "rm", id).exit()).isZero();
            assertThat(dir.resolve("state/tasks/" + ns + "/" + id)).doesNotExist();
            assertThat(CtrFifos.dirsOf(id + "-")).as("ctr's FIFOs of " + id + ", removed by tasks rm through the stdio Tasks/Get reports").isEmpty();
        }
        Cli.Result again = ctr("run", "--rm", IMAGE, "after-orphans" + u, "echo", "a new shim");
        assertThat(again.out()).as(again.toString()).isEqualTo("a new shim\n");
    }

    @Test
    void tasksCallsAnswerWhileTheCleanUpAfterADeadShimIsStuck() throws Exception {
        String victim = "stuck" + u;
        String bystander = "bystander" + u;
        assertThat(ctr("run", "-d", IMAGE, victim, "sleep", "1000").exit()).isZero();
        Cli.Result other = ctr("run", "-d", "--label", "io.containerd.runc.v2.group=apart" + u, IMAGE, bystander, "sleep", "1000");
        assertThat(other.exit()).as(other.toString()).isZero();
        long shim = shimPid(ns, victim);
        assertThat(shimPid(ns, bystander)).as("the bystander has a shim of its own").isNotEqualTo(shim);

        // The test double: the runtime the clean-up runs hangs until the test lets it go on to the real one.
        Path bundle = dir.resolve("state/tasks/" + ns + "/" + victim);
        String realRuntime = Files.readString(bundle.resolve(TaskManager.RUNTIME_FILE)).strip();
        Path started = dir.resolve("cleanup-started");
        Path release = dir.resolve("cleanup-release");
        Path stuck = dir.resolve("stuck-runtime");
        Files.writeString(stuck, "#!/bin/sh\ntouch '" + started + "'\nwhile [ ! -e '" + release + "' ]; do sleep 0.05; done\n"
                + "exec '" + realRuntime + "' \"$@\"\n");
        Files.setPosixFilePermissions(stuck, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.writeString(bundle.resolve(TaskManager.RUNTIME_FILE), stuck.toString());
        try {
            ProcessHandle.of(shim).orElseThrow().destroyForcibly();
            Await.until("the clean-up after the dead shim ran the runtime", java.time.Duration.ofSeconds(90), () -> Files.exists(started));

            long t0 = System.nanoTime();
            Cli.Result ls = ctr("tasks", "ls");
            Cli.Result ps = ctr("tasks", "ps", bystander);
            Cli.Result kill = ctr("tasks", "kill", victim);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ls.exit()).as(ls.toString()).isZero();
            assertThat(ls.out()).containsPattern("(?m)^" + bystander + " +\\d+ +RUNNING")
                    .containsPattern("(?m)^" + victim + " +0 +UNKNOWN");
            assertThat(ps.exit()).as(ps.toString()).isZero();
            assertThat(kill.exit()).as(kill.toString()).isNotZero();
            assertThat(kill.err()).contains("being killed and cleaned up");
            assertThat(started).as("still stuck while the calls answered").exists();
            assertThat(Files.exists(release)).isFalse();
            // the clean-up gives a hanging runtime 30 s; before, these calls waited for it
            assertThat(tookMs).as("ms for tasks ls, ps and kill while the clean-up is stuck").isLessThan(10_000);
        } finally {
            Files.writeString(release, "");
        }
        awaitStatus(victim, "STOPPED");
        Cli.Result rm = ctr("tasks", "rm", victim);
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(rm.err()).contains("exit code 137");
        assertThat(CtrFifos.dirsOf(victim + "-")).as("ctr's FIFOs of " + victim + ", removed by tasks rm").isEmpty();
        assertThat(ctr("containers", "rm", victim).exit()).isZero();
    }

    @Test
    void containersOfANamespaceShareOneShimAndEachNamespaceOrGroupLabelHasItsOwn() {
        assertThat(ctrIn(other, "images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE).exit()).isZero();
        for (String id : List.of("share1" + u, "share2" + u, "share3" + u)) {
            Cli.Result run = ctr("run", "-d", IMAGE, id, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
        }
        for (String id : List.of("elsewhere1" + u, "elsewhere2" + u)) {
            Cli.Result run = ctrIn(other, "run", "-d", IMAGE, id, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
        }
        Cli.Result labelled = ctr("run", "-d", "--label", "io.containerd.runc.v2.group=pod1" + u, IMAGE, "podded" + u, "sleep", "1000");
        assertThat(labelled.exit()).as(labelled.toString()).isZero();

        long shared = shimPid(ns, "share1" + u);
        assertThat(shimPid(ns, "share2" + u)).isEqualTo(shared);
        assertThat(shimPid(ns, "share3" + u)).isEqualTo(shared);
        long otherShim = shimPid(other, "elsewhere1" + u);
        assertThat(shimPid(other, "elsewhere2" + u)).isEqualTo(otherShim);
        assertThat(otherShim).as("another namespace, another shim").isNotEqualTo(shared);
        assertThat(shimPid(ns, "podded" + u)).as("the group label names its own group").isNotIn(shared, otherShim);
        // three group shims and no spare beside them ([shim] spare_while_running = false)
        daemon.awaitShims(3, 90);

        for (String id : List.of("share1" + u, "share2" + u, "share3" + u, "podded" + u)) {
            assertThat(ctr("tasks", "kill", "-s", "SIGKILL", id).exit()).isZero();
            awaitStatus(id, "STOPPED");
            assertThat(ctr("tasks", "rm", id).exit()).isZero();
        }
        assertThat(ProcessHandle.of(shared).map(h -> h.onExit().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join().isAlive())
                .orElse(false)).as("the namespace's shim exits with its last task (another group runs: no spare is kept)").isFalse();
        assertThat(alive(otherShim)).as("still runs the other namespace's containers").isTrue();
        assertThat(daemon.awaitShims(1, 90)).extracting(ProcessHandle::pid).containsExactly(otherShim);
        assertThat(ctrIn(other, "tasks", "ls").out()).containsPattern("(?m)^elsewhere1" + u + " +\\d+ +RUNNING");
    }

    @Test
    void parallelRunsInTwoNamespacesGetOneShimPerNamespace() throws Exception {
        assertThat(ctrIn(other, "images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE).exit()).isZero();
        daemon.awaitShims(1, 90);
        List<String[]> runs = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            runs.add(new String[] {ns, "par" + i + u});
            runs.add(new String[] {other, "par" + i + u});
        }
        try (var parallel = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Cli.Result>> results = new ArrayList<>();
            for (String[] run : runs) {
                results.add(parallel.submit(() -> ctrIn(run[0], "run", "-d", IMAGE, run[1], "sleep", "1000")));
            }
            for (var result : results) {
                assertThat(result.get().exit()).as(result.get().toString()).isZero();
            }
        }
        java.util.Set<Long> defaultShims = new java.util.HashSet<>();
        java.util.Set<Long> otherShims = new java.util.HashSet<>();
        for (String[] run : runs) {
            (run[0].equals(ns) ? defaultShims : otherShims).add(shimPid(run[0], run[1]));
        }
        assertThat(defaultShims).as("one shim for the namespace's four containers").hasSize(1);
        assertThat(otherShims).as("one shim for the other namespace's four").hasSize(1).doesNotContainAnyElementsOf(defaultShims);
        // the two group shims and no spare beside them; none started for nothing is left over
        daemon.awaitShims(2, 90);
        Thread.sleep(2 * 1000);
        assertThat(daemon.shims()).hasSize(2);
    }

    @Test
    void aRunRightAfterTheDaemonStartsUsesTheSpareShimAndAnotherSpareFollowsWhenKeptWhileRunning() throws Exception {
        daemon.close();
        Path config = Files.writeString(dir.resolve("spare-while-running.toml"), "[shim]\nspare_while_running = true\n");
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        java.time.Instant asked = java.time.Instant.now();
        Cli.Result run = ctr("run", "-d", IMAGE, "early" + u, "sleep", "1000");
        assertThat(run.exit()).as(run.toString()).isZero();

        ProcessHandle shim = ProcessHandle.of(shimPid(ns, "early" + u)).orElseThrow();
        assertThat(shim.info().startInstant()).as("the shim was started before the request: the spare").get()
                .matches(started -> started.isBefore(asked), "before " + asked);
        List<ProcessHandle> both = daemon.awaitShims(2, 90);
        assertThat(both).as("a new spare is started after the first is taken")
                .anySatisfy(p -> assertThat(p.info().startInstant().orElseThrow()).isAfter(asked));
    }

    @Test
    void whileAGroupRunsNoSpareIsKeptAndTheLastGroupsShimBecomesTheSpare() throws Exception {
        assertThat(ctrIn(other, "images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE).exit()).isZero();
        ProcessHandle spare = daemon.awaitShims(1, 90).getFirst();
        Cli.Result first = ctr("run", "-d", IMAGE, "first" + u, "sleep", "1000");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(shimPid(ns, "first" + u)).as("the first group takes the spare").isEqualTo(spare.pid());

        List<Long> before = daemon.shims().stream().map(ProcessHandle::pid).toList();
        Cli.Result second = ctrIn(other, "run", "-d", IMAGE, "second" + u, "sleep", "1000");
        assertThat(second.exit()).as(second.toString()).isZero();
        ProcessHandle secondShim = ProcessHandle.of(shimPid(other, "second" + u)).orElseThrow();
        assertThat(before).as("the first group's shim only: no spare beside it").containsExactly(spare.pid());
        assertThat(secondShim.pid()).as("booted for the second group").isNotIn(before);
        assertThat(ctrIn(other, "tasks", "rm", "-f", "second" + u).exit()).isZero();
        assertThat(secondShim.onExit().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join().isAlive())
                .as("a group's shim exits with its last task while another group runs").isFalse();

        assertThat(ctr("tasks", "kill", "-s", "SIGKILL", "first" + u).exit()).isZero();
        awaitStatus("first" + u, "STOPPED");
        assertThat(ctr("tasks", "rm", "first" + u).exit()).isZero();
        assertThat(daemon.awaitShims(1, 90)).as("the last group's shim stays, as the spare").extracting(ProcessHandle::pid)
                .containsExactly(spare.pid());
        Cli.Result again = ctrIn(other, "run", "-d", IMAGE, "again" + u, "sleep", "1000");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(shimPid(other, "again" + u)).as("the next new group takes it").isEqualTo(spare.pid());
    }

    @Test
    void aSpareLeftByAKilledDaemonExitsOnItsOwn() throws Exception {
        ProcessHandle spare = daemon.awaitShims(1, 90).getFirst();
        daemon.kill();
        assertThat(spare.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join().isAlive())
                .as("an idle shim whose daemon is gone for good exits").isFalse();
        daemon = DaemonProcess.start(dir);
    }

    @Test
    void perContainerShimsWhenConfiguredSo() throws Exception {
        daemon.close();
        Path config = dir.resolve("per-container.toml");
        Files.writeString(config, "[shim]\ngroup = \"container\"\nspare = false\n");
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        assertThat(daemon.awaitShims(0, 5)).as("no spare when it is off").isEmpty();
        for (String id : List.of("alone1" + u, "alone2" + u)) {
            Cli.Result run = ctr("run", "-d", IMAGE, id, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
        }
        assertThat(shimPid(ns, "alone1" + u)).isNotEqualTo(shimPid(ns, "alone2" + u));
        long first = shimPid(ns, "alone1" + u);
        assertThat(ctr("tasks", "kill", "-s", "SIGKILL", "alone1" + u).exit()).isZero();
        awaitStatus("alone1" + u, "STOPPED");
        assertThat(ctr("tasks", "rm", "alone1" + u).exit()).isZero();
        assertThat(ProcessHandle.of(first).map(h -> h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join().isAlive())
                .orElse(false)).as("its shim exits with its one task").isFalse();
        assertThat(daemon.shims()).hasSize(1);
    }

    @Test
    void taskEventsArriveOnceEachInContainerdsOrder() throws Exception {
        Path out = dir.resolve("events.out");
        Process events = new ProcessBuilder("/usr/bin/ctr", "-a", daemon.socket().toString(), "events")
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            Await.subscribed(daemon.socket(), out);
            assertThat(ctr("run", "--rm", IMAGE, "evented", "true").exit()).isZero();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.readString(out).contains("/tasks/delete") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            events.destroy();
            events.waitFor();
        }
        List<String> topics = Files.readAllLines(out).stream().filter(l -> l.contains(" /tasks/"))
                .map(l -> l.replaceAll(".* (/tasks/[a-z-]+) .*", "$1")).toList();
        assertThat(topics).as(Files.readString(out)).containsExactly("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete");
    }

    @Test
    void runningAnImageThatIsNotPulledSaysSo() {
        Cli.Result r = ctr("run", "--rm", "docker.io/library/nothere:latest", "x", "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("not found");
    }

    private void awaitStatus(String id, String status) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ctr("tasks", "ls").out().matches("(?s).*\\n" + id + " +\\d+ +" + status + ".*")) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError(id + " never reached " + status + ": " + ctr("tasks", "ls").out());
    }

    private long shimPid(String ns, String id) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("state/tasks/" + ns + "/" + id + "/shim.pid")).strip());
        } catch (java.io.IOException e) {
            throw new AssertionError("no shim.pid for " + ns + "/" + id + ": " + e);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The cgroup directories of {@code ids} in any hierarchy (ctr run's cgroupsPath is /&lt;namespace&gt;/&lt;id&gt;). */
    List<Path> cgroupsOf(List<String> ids) {
        return ids.stream().flatMap(id -> TestCgroups.existing("/" + ns + "/" + id).stream()).toList();
    }

    static List<String> mountsUnder(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(" " + dir.toString())).toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static UpdateTaskRequest update(String id, String resourcesJson) {
        return UpdateTaskRequest.newBuilder().setContainerId(id)
                .setResources(AnyCodec.packJson(TypeUrls.OCI_LINUX_RESOURCES, resourcesJson)).build();
    }

    /** memory, pids and cpu files of the cgroups the task's process is in. */
    private Map<String, String> limits(int pid) throws Exception {
        Map<String, String> paths = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            for (String c : f[1].split(",")) paths.put(c, f[2]);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String file : List.of("memory/memory.limit_in_bytes", "pids/pids.max", "cpu/cpu.shares", "cpuset/cpuset.cpus")) {
            String controller = file.substring(0, file.indexOf('/'));
            out.put(file, Files.readString(Path.of("/sys/fs/cgroup/" + controller + paths.get(controller), file.substring(file.indexOf('/') + 1))).trim());
        }
        return out;
    }

    @Test
    void tasksUpdateChangesTheRunningTasksCgroupAndARefusedValueChangesNothing() throws Exception {
        // what `docker update` and CRI's UpdateContainerResources send (ctr 1.6 has no command for it): shim, then `jrunc update`
        String id = "update-" + UUID.randomUUID().toString().substring(0, 8);
        Cli.Result run = ctr("run", "-d", IMAGE, id, "sleep", "1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        Matcher m = Pattern.compile("(?m)^" + id + " +(\\d+) +RUNNING").matcher(ctr("tasks", "ls").out());
        assertThat(m.find()).isTrue();
        int pid = Integer.parseInt(m.group(1));

        try (UnixGrpcChannel channel = new UnixGrpcChannel(daemon.socket())) {
            var tasks = TasksGrpc.newBlockingStub(channel.namespaced(ns));
            tasks.update(update(id, "{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":42},\"cpu\":{\"shares\":256,\"cpus\":\"0\"}}"));
            Map<String, String> updated = limits(pid);
            assertThat(updated).containsEntry("memory/memory.limit_in_bytes", "67108864").containsEntry("pids/pids.max", "42")
                    .containsEntry("cpu/cpu.shares", "256").containsEntry("cpuset/cpuset.cpus", "0");

            assertThatThrownBy(() -> tasks.update(update(id, "{\"memory\":{\"limit\":33554432},\"cpu\":{\"cpus\":\"9\"}}")))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("cpuset.cpus");
            assertThat(limits(pid)).as("the memory limit written before the refused cpuset is put back").isEqualTo(updated);

            assertThatThrownBy(() -> tasks.update(update(id + "-nope", "{\"pids\":{\"limit\":5}}")))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
        }
    }
}
