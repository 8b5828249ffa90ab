package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a fixture's containers leave on the host, as a user would look for it: containerd's
 * containers, tasks and snapshots in the fixture's namespace, the cgroups under /&lt;namespace&gt;,
 * pinned network namespaces and their /etc files, veths on the fixture's bridge, shim processes, FIFOs and the
 * containers' directories. Two footprints are equal when nothing was left behind.
 */
record Footprint(List<String> containers, List<String> tasks, List<String> snapshots, List<String> cgroups,
                 List<String> netns, List<String> networkFiles, List<String> bridgePorts, int shims, List<String> fifos, List<String> containerDirs) {

    static Footprint of(DockerFixture d) {
        return new Footprint(lines(d.ctr("containers", "ls", "-q"), false), lines(d.ctr("tasks", "ls"), true),
                lines(d.ctr("snapshots", "ls"), true), cgroups(d.namespace), names(d.dir.resolve("state/netns")),
                names(d.dir.resolve("state/network/containers")),
                names(Path.of("/sys/class/net", d.network.bridge(), "brif")),
                d.daemon.shims().size(),
                tree(d.dir.resolve("state/docker/fifo")), names(d.dir.resolve("root/docker/containers")));
    }

    /** Waits up to {@code seconds} for the footprint to be {@code expected} again; fails with the difference. */
    static void awaitSame(DockerFixture d, Footprint expected, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Footprint now = of(d);
        while (!now.equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("left behind after " + seconds + " s:\n  expected " + expected + "\n  found    " + now
                        + "\n" + d.daemon.log().lines().filter(l -> l.contains("WARN") || l.contains("SEVERE")).toList());
            }
            pause(200);
            now = of(d);
        }
    }

    private static List<String> lines(Cli.Result r, boolean header) {
        if (r.exit() != 0) {
            throw new AssertionError("ctr failed: " + r);
        }
        return r.out().lines().skip(header ? 1 : 0).map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /** The container cgroups under /&lt;namespace&gt; of the pids and memory controllers (cgroup v1) or the unified tree. */
    private static List<String> cgroups(String namespace) {
        Path v1 = Path.of("/sys/fs/cgroup/pids");
        List<Path> parents = Files.isDirectory(v1)
                ? List.of(v1.resolve(namespace), Path.of("/sys/fs/cgroup/memory", namespace))
                : List.of(Path.of("/sys/fs/cgroup", namespace));
        return parents.stream().flatMap(p -> names(p).stream().filter(n -> Files.isDirectory(p.resolve(n))).map(n -> p.getParent().getFileName() + ":" + n)).sorted().toList();
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of("(unreadable " + dir + ": " + e.getMessage() + ")");
        }
    }

    private static List<String> tree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(unreadable " + dir + ": " + e.getMessage() + ")");
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
