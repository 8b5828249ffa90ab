package io.jcontainerd.supervisor.daemon;

import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon's files as containerd keeps them: root and state 0711, meta/, content/, snapshots/, bundles and
 * jrunc's state 0700, specs, state and logs 0600. Checked as a local user who is not root (`nobody`, through
 * setpriv) against a real daemon with a running container that made itself a setuid copy of busybox: that user
 * can read no spec, list none of the stores and reach neither the container's rootfs nor the setuid binary.
 */
class FileModesIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    /** The test's namespace, its own: its cgroups (/&lt;ns&gt; in every hierarchy) and /run/jrunc/&lt;ns&gt; go in {@link #stop}. */
    final String ns = TestNamespaces.unique("modes");
    final Path jruncRoot = Path.of("/run/jrunc", ns);
    Path base;
    DaemonProcess daemon;
    final String id = "modes-" + UUID.randomUUID().toString().substring(0, 6);

    @BeforeEach
    void start() throws Exception {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        Cli.requireTool("/usr/bin/setpriv", "util-linux");
        // a base directory anyone may enter, so that only the daemon's own modes keep `nobody` out
        base = Files.createTempDirectory("jcd-modes-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (daemon != null) {
                ctr("tasks", "kill", "-s", "SIGKILL", id);
                ctr("tasks", "rm", "-f", id);
                ctr("containers", "rm", id);
                daemon.close();
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (!daemon.shims().isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
                daemon.shims().forEach(ProcessHandle::destroyForcibly);
            }
        } finally {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" " + base)).toList();
            if (mounts.isEmpty()) {
                try (Stream<Path> s = Files.walk(base)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
            assertThat(mounts).as("mounts left under " + base).isEmpty();
            assertThat(TestNamespaces.remove(ns)).as("cgroups and runtime state left of namespace " + ns).isEmpty();
        }
    }

    Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", ns));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 120);
    }

    /** Runs a command as nobody (uid/gid 65534, no supplementary groups). */
    static Cli.Result asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(List.of(command));
        return Cli.run(cmd, Map.of(), 30);
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aUserWhoIsNotRootCanReadNoSpecListNoStoreAndReachNoRootfs() throws Exception {
        daemon = DaemonProcess.start(base);
        Cli.Result pull = ctr("images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE);
        assertThat(pull.exit()).as(pull.toString()).isZero();
        Cli.Result run = ctr("run", "-d", "--env", "SECRET=hunter2", IMAGE, id, "sh", "-c",
                "cp /bin/busybox /bin/suidbox && chmod 4755 /bin/suidbox && touch /ready && exec sleep 1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path root = base.resolve("root"), state = base.resolve("state");
        Path bundle = state.resolve("tasks/" + ns + "/" + id);
        long until = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(bundle.resolve("rootfs/ready"))) {
            if (System.nanoTime() > until) throw new AssertionError("the container did not start: " + ctr("tasks", "ls"));
            Thread.sleep(50);
        }

        // the control: nobody reaches the base directory, so what follows is the daemon's doing
        assertThat(asNobody("ls", base.toString()).exit()).as("nobody lists the base directory").isZero();

        Cli.Result spec = asNobody("cat", bundle.resolve("config.json").toString());
        assertThat(spec.exit()).as("nobody reads the spec: %s", spec.out()).isNotZero();
        assertThat(spec.out()).doesNotContain("hunter2");
        for (String store : List.of("meta", "content", "snapshots")) {
            assertThat(asNobody("ls", root.resolve(store).toString()).exit()).as("nobody lists " + store).isNotZero();
        }
        assertThat(asNobody("ls", bundle.resolve("rootfs").toString()).exit()).as("nobody lists the rootfs").isNotZero();
        Cli.Result suid = asNobody(bundle.resolve("rootfs/bin/suidbox").toString(), "id", "-u");
        assertThat(suid.out().strip()).as("nobody runs the container's setuid binary").isNotEqualTo("0");
        assertThat(suid.exit()).isNotZero();
        assertThat(asNobody("ls", jruncRoot.toString()).exit()).as("nobody lists jrunc's state").isNotZero();
        assertThat(asNobody("cat", jruncRoot.resolve(id + "/state.json").toString()).exit()).as("nobody reads state.json").isNotZero();
        assertThat(asNobody("ls", state.resolve("s").toString()).exit()).as("nobody lists the shims' sockets and logs").isNotZero();

        assertThat(mode(root)).isEqualTo("rwx--x--x");
        assertThat(mode(state)).isEqualTo("rwx--x--x");
        for (String store : List.of("meta", "content", "snapshots")) assertThat(mode(root.resolve(store))).as(store).isEqualTo("rwx------");
        assertThat(mode(bundle)).as("the bundle").isEqualTo("rwx------");
        assertThat(mode(bundle.resolve("config.json"))).as("config.json").isEqualTo("rw-------");
        assertThat(mode(jruncRoot)).as("jrunc's root").isEqualTo("rwx------");
        assertThat(mode(jruncRoot.resolve(id))).as("the container's state directory").isEqualTo("rwx------");
        assertThat(mode(jruncRoot.resolve(id + "/state.json"))).as("state.json").isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(state.resolve("s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".sock")).toList()) {
                assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
            }
        }
        Path shimEvents = TtrpcEvents.socketFor(daemon.socket());
        assertThat(mode(shimEvents)).as("the shims' events socket " + shimEvents).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(bundle)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
        }
    }

    @Test
    void theDaemonTightensWhatAnOlderVersionLeftOpen() throws Exception {
        Path root = base.resolve("root"), state = base.resolve("state");
        Path bundle = state.resolve("tasks/" + ns + "/old");
        for (Path d : List.of(root.resolve("meta"), root.resolve("content"), root.resolve("snapshots"), bundle)) {
            Files.createDirectories(d);
        }
        Files.writeString(bundle.resolve("config.json"), "{}");
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        daemon = DaemonProcess.start(base);
        assertThat(mode(root)).isEqualTo("rwx--x--x");
        assertThat(mode(state)).isEqualTo("rwx--x--x");
        for (String store : List.of("meta", "content", "snapshots")) assertThat(mode(root.resolve(store))).as(store).isEqualTo("rwx------");
        // recovery may remove a bundle whose shim is gone; if it is kept, it is closed
        if (Files.exists(bundle)) {
            assertThat(mode(bundle)).isEqualTo("rwx------");
            if (Files.exists(bundle.resolve("config.json"))) assertThat(mode(bundle.resolve("config.json"))).isEqualTo("rw-------");
        }
        assertThat(mode(state.resolve("tasks"))).isEqualTo("rwx--x--x");
    }
}
