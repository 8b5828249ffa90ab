package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.testsupport.Await;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 `ctr run --rm` cycles through our daemon leave nothing behind: no mounts, cgroups, shim
 * sockets, bundles or processes, and the daemon holds no more file descriptors than before.
 */
class RunRemoveCyclesIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    static final int CYCLES = 200;
    @TempDir
    Path dir;
    /** The test's namespace, its own: its cgroups (/&lt;ns&gt; in every hierarchy) and /run/jrunc/&lt;ns&gt; go at the end. */
    final String ns = TestNamespaces.unique("cycles");

    @Test
    void twoHundredRunRemoveCyclesLeaveNothingBehind() throws Exception {
        List<String> left;
        try (DaemonProcess daemon = DaemonProcess.start(dir)) {
            assertThat(ctr(daemon, "images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE).exit()).isZero();
            assertThat(ctr(daemon, "run", "--rm", IMAGE, "warmup", "true").exit()).isZero();
            // the warm-up's group shim has become the spare or exited, and its bundle is gone
            Await.until("the warm-up's shim and bundle are gone", java.time.Duration.ofSeconds(30),
                    () -> daemon.shims().size() == 1 && countQuietly(dir.resolve("state/tasks/" + ns)) == 0);
            Counts before = Counts.of(daemon, dir, ns);

            for (int i = 0; i < CYCLES; i++) {
                Cli.Result r = ctr(daemon, "run", "--rm", IMAGE, "cycle" + i, "true");
                assertThat(r.exit()).as("cycle " + i + ": " + r).isZero();
            }
            // the last group's shim becomes the spare, or exits if a new spare was started meanwhile: a
            // shim JVM's exit takes seconds on a loaded machine (CI saw 2 sockets still there after 15 s
            // at load 28), so wait for it to be observed, up to two minutes
            Counts after = Counts.of(daemon, dir, ns);
            for (long deadline = System.nanoTime() + 120_000_000_000L; !after.settledLike(before) && System.nanoTime() < deadline; ) {
                Thread.sleep(200);
                after = Counts.of(daemon, dir, ns);
            }

            assertThat(after.mounts()).as("mounts under " + dir).isEqualTo(before.mounts());
            assertThat(after.cgroups()).as("cgroups of the cycles").isZero();
            assertThat(after.shimSockets()).as("shim sockets").isEqualTo(before.shimSockets());
            assertThat(after.bundles()).as("task bundles").isZero();
            assertThat(after.processes()).as("processes running from " + dir).isEqualTo(before.processes());
            assertThat(after.daemonFds()).as("daemon fds: before " + before.daemonFds() + ", after " + after.daemonFds())
                    .isLessThanOrEqualTo(before.daemonFds() + 2);
            assertThat(ctr(daemon, "containers", "ls", "-q").out()).isEmpty();
            assertThat(ctr(daemon, "snapshots", "ls").out()).doesNotContain("cycle");
            Await.until("one shim left, the spare", java.time.Duration.ofSeconds(120),
                    () -> daemon.shims().size() == 1);
            daemon.stop();
            assertThat(daemon.shims()).as("no shim outlives a stopped daemon that has no containers").isEmpty();
            assertThat(count(dir.resolve("state/s"))).as("shim sockets and logs").isZero();
        } finally {
            left = TestNamespaces.remove(ns);
        }
        assertThat(left).as("cgroups and runtime state left of namespace " + ns).isEmpty();
    }

    static long count(Path p) throws IOException {
        return Counts.count(p);
    }

    private static long countQuietly(Path p) {
        try {
            return Files.isDirectory(p) ? Counts.count(p) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    Cli.Result ctr(DaemonProcess d, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/ctr", "--address", d.socket().toString(), "--namespace", ns));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, java.util.Map.of(), 120);
    }

    record Counts(long mounts, long cgroups, long shimSockets, long bundles, long processes, long daemonFds) {
        /** Whether what comes and goes with shims (sockets, processes) is back to {@code before}. */
        boolean settledLike(Counts before) {
            return shimSockets == before.shimSockets && processes == before.processes && bundles == 0;
        }

        static Counts of(DaemonProcess d, Path dir, String namespace) throws IOException {
            long mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(dir.toString())).count();
            long cgroups = 0;
            try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path c : controllers.toList()) {
                    Path ns = c.resolve(namespace);
                    if (Files.isDirectory(ns)) {
                        try (Stream<Path> entries = Files.list(ns)) {
                            cgroups += entries.filter(p -> p.getFileName().toString().startsWith("cycle")).count();
                        }
                    }
                }
            }
            long sockets = count(dir.resolve("state/s"));
            long bundles = count(dir.resolve("state/tasks/" + namespace));
            long processes = ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(dir.toString())).orElse(false))
                    .count();
            long fds = count(Path.of("/proc", Long.toString(d.pid()), "fd"));
            return new Counts(mounts, cgroups, sockets, bundles, processes, fds);
        }

        static long count(Path p) throws IOException {
            if (!Files.isDirectory(p)) {
                return 0;
            }
            try (Stream<Path> s = Files.list(p)) {
                return s.count();
            }
        }
    }
}
