package io.jcontainerd.supervisor.tasks;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.tasks.v1.UpdateTaskRequest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
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

    @BeforeEach
    void start() {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        daemon = DaemonProcess.start(dir);
        Cli.Result pull = ctr("images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE);
        assertThat(pull.exit()).as(pull.toString()).isZero();
    }

    @AfterEach
    void stop() {
        // Whatever a failed test left running: kill and remove it through the API, by id.
        for (String id : ctr("tasks", "ls", "-q").out().lines().toList()) {
            ctr("tasks", "kill", "-s", "SIGKILL", id);
        }
        for (String id : ctr("containers", "ls", "-q").out().lines().toList()) {
            ctr("tasks", "rm", "-f", id);
            ctr("containers", "rm", id);
        }
        daemon.close();
        assertThat(mountsUnder(dir)).as("mounts left under " + dir).isEmpty();
    }

    Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString()));
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
        assertThat(dir.resolve("state/tasks/default/hello")).doesNotExist();
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
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            Cli.Result run = ctr("run", "-d", IMAGE, "survivor" + i, "sleep", "1000");
            assertThat(run.exit()).as(run.toString()).isZero();
        }
        Cli.Result quitter = ctr("run", "-d", IMAGE, "quitter", "sh", "-c", "sleep 3; exit 5");
        assertThat(quitter.exit()).as(quitter.toString()).isZero();
        String ls = ctr("tasks", "ls").out();
        for (int i = 1; i <= 5; i++) {
            Matcher m = Pattern.compile("(?m)^survivor" + i + " +(\\d+) +RUNNING").matcher(ls);
            assertThat(m.find()).as(ls).isTrue();
            pids.put("survivor" + i, Long.parseLong(m.group(1)));
        }

        daemon.kill();
        Thread.sleep(5000); // quitter exits while nobody supervises the shims but themselves
        pids.forEach((id, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as(id + " outlives the daemon").isTrue());
        daemon = DaemonProcess.start(dir);

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
    void aKilledShimStopsItsTaskKillsTheContainerAndLeavesNoMounts() throws Exception {
        assertThat(ctr("run", "-d", IMAGE, "orphan", "sleep", "1000").exit()).isZero();
        Matcher m = Pattern.compile("(?m)^orphan +(\\d+) +RUNNING").matcher(ctr("tasks", "ls").out());
        assertThat(m.find()).isTrue();
        long pid = Long.parseLong(m.group(1));
        long shim = Long.parseLong(Files.readString(dir.resolve("state/tasks/default/orphan/shim.pid")).strip());

        ProcessHandle.of(shim).orElseThrow().destroyForcibly();
        awaitStatus("orphan", "STOPPED");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("container process killed").isFalse();
        assertThat(mountsUnder(dir.resolve("state/tasks"))).isEmpty();
        Cli.Result info = ctr("tasks", "ls");
        assertThat(info.out()).containsPattern("(?m)^orphan +\\d+ +STOPPED");
        assertThat(ctr("tasks", "rm", "orphan").exit()).isZero();
        assertThat(ctr("containers", "rm", "orphan").exit()).isZero();
        assertThat(dir.resolve("state/tasks/default/orphan")).doesNotExist();
    }

    @Test
    void taskEventsArriveOnceEachInContainerdsOrder() throws Exception {
        Path out = dir.resolve("events.out");
        Process events = new ProcessBuilder("/usr/bin/ctr", "-a", daemon.socket().toString(), "events")
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            Thread.sleep(700);
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
            var tasks = TasksGrpc.newBlockingStub(channel.namespaced("default"));
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
