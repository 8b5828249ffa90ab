package io.jcontainerd.supervisor.faults;

import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.testsupport.Await;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.CtrFifos;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon (and sometimes the container's shim) killed with SIGKILL at a random point of a
 * workload (server-side pull with unpack, create, start, exec, delete), restarted, and checked:
 * every blob has the bytes its digest names, every image is complete, no task is left in limbo and
 * every task's state is true of its process, no container process runs that no task accounts for,
 * every container's snapshot exists, and a collection afterwards reclaims every blob and snapshot.
 *
 * <p>10 iterations by default; {@code -Djcd.faults.iterations=100} for the nightly run. The seed is
 * printed and named in any failure: {@code -Djcd.faults.seed=N} replays the same choices (the kill
 * lands at the same step after the same delay; the machine's timing is not replayed).
 */
class DaemonKillFaultsIT {
    private static final String IMAGE = "docker.io/library/busybox:latest";
    private static final int ITERATIONS = Integer.getInteger("jcd.faults.iterations", 10);
    /** The longest delay after a step starts before the kill (a step takes 50 to 1500 ms here). */
    private static final int MAX_DELAY_MS = 600;
    private static final int SETTLE_S = 60;

    enum Step { PULL, CREATE, START, EXEC, DELETE }

    @TempDir
    Path dir;
    private final String u = UUID.randomUUID().toString().substring(0, 6);
    /** The test's namespace, its own: run puts each container's cgroup under /&lt;namespace&gt;, which {@link #cleanUp} removes. */
    private final String ns = TestNamespaces.unique("faults");
    /** What {@link #cleanUp} could not remove of the namespace's cgroups (a container process still in one). */
    private List<String> cgroupsLeft = List.of();
    private final Set<String> ids = new LinkedHashSet<>();
    private DaemonProcess daemon;
    private Path config;

    @Test
    void theDaemonKilledAtRandomPointsOfAWorkloadRestartsWithEveryInvariantTrue() throws Exception {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        long seed = Long.getLong("jcd.faults.seed", new SecureRandom().nextLong());
        Random random = new Random(seed);
        String replay = "-Djcd.faults.seed=" + seed + " -Djcd.faults.iterations=" + ITERATIONS;
        System.out.println("DaemonKillFaultsIT: " + ITERATIONS + " iterations, seed " + seed + " (replay: " + replay + ")");
        config = Files.writeString(dir.resolve("jcontainerd.toml"),
                "[registry]\nconfig_path = \"" + TestRegistry.shared().hostsDir() + "\"\n[docker]\nenabled = false\n");
        Map<Step, Integer> kills = new EnumMap<>(Step.class);
        int shimKills = 0;
        long started = System.nanoTime();
        int iteration = 0;
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        try {
            for (iteration = 1; iteration <= ITERATIONS; iteration++) {
                String id = "faults-" + u + "-" + iteration;
                Step at = Step.values()[random.nextInt(Step.values().length)];
                int delayMs = random.nextInt(MAX_DELAY_MS);
                boolean shimToo = random.nextInt(4) == 0;
                long t0 = System.nanoTime();
                if (at == Step.PULL) {
                    removeImage(); // the pull the kill lands in fetches and unpacks
                }
                if (runUntilKilled(id, at, delayMs, shimToo)) {
                    shimKills++;
                }
                kills.merge(at, 1, Integer::sum);
                long t1 = System.nanoTime();
                daemon = DaemonProcess.start(dir, "--config", config.toString());
                long t2 = System.nanoTime();
                String when = "iteration " + iteration + " (killed at " + at + " + " + delayMs + " ms" + (shimToo ? ", shim too" : "") + ")";
                checkInvariants(when, at == Step.DELETE ? id : null);
                converge(id);
                assertUnreferencedReclaimed(when);
                System.out.printf("DaemonKillFaultsIT: %s: workload %d ms, restart %d ms, checks and clean-up %d ms%n",
                        when, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            }
            removeImage();
            assertEverythingReclaimed("after the last iteration, with the image removed");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("fault injection failed in iteration " + iteration + " of " + ITERATIONS + " with seed " + seed
                    + " (replay with " + replay + "): " + e.getMessage(), e);
        } finally {
            cleanUp();
        }
        System.out.printf("DaemonKillFaultsIT: %d iterations in %.1f s, seed %d, daemon killed during %s, shim killed too %d times%n",
                ITERATIONS, (System.nanoTime() - started) / 1e9, seed, kills, shimKills);
        assertThat(cgroupsLeft).as("cgroups left under /" + ns + " (seed " + seed + ")").isEmpty();
    }

    /** Runs the workload's steps up to {@code at}, kills the daemon {@code delayMs} into it; true if a shim was killed too. */
    private boolean runUntilKilled(String id, Step at, int delayMs, boolean shimToo) throws Exception {
        for (Step step : Step.values()) {
            if (step != at) {
                run(id, step, true);
                continue;
            }
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> run(id, step, false));
            Thread.sleep(delayMs); // where the fault lands: the delay is the experiment, not a wait for a condition
            boolean shimKilled = false;
            if (shimToo) {
                Optional<ProcessHandle> shim = shimOf(id);
                shimKilled = shim.map(ProcessHandle::destroyForcibly).orElse(false);
            }
            daemon.kill();
            try {
                running.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException ignored) {
                // the step's client lost its daemon: what it reports is not the test's concern
            }
            return shimKilled;
        }
        throw new IllegalStateException("no step " + at);
    }

    /** One step of the workload; {@code strict}: it must succeed (it runs with the daemon up). */
    private void run(String id, Step step, boolean strict) {
        switch (step) {
            case PULL -> {
                try (UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
                    Iterator<PullEvent> events = PullGrpc.newBlockingStub(ch.namespaced(ns))
                            .pull(PullRequest.newBuilder().setReference(IMAGE).setUnpack(true).build());
                    PullEvent last = null;
                    while (events.hasNext()) {
                        last = events.next();
                    }
                    if (strict) {
                        assertThat(last).as("pull of " + IMAGE).isNotNull();
                        assertThat(last.getDone().getUnpacked()).as("pull of " + IMAGE + " unpacked").isTrue();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    if (strict) {
                        throw e;
                    }
                }
            }
            case CREATE -> {
                ids.add(id);
                expect(strict, ctr("containers", "create", IMAGE, id, "sleep", "1000"));
            }
            case START -> expect(strict, ctr("tasks", "start", "-d", id));
            case EXEC -> {
                Cli.Result exec = ctr("tasks", "exec", "--exec-id", "probe-" + u, id, "sh", "-c", "echo exec-$((6*7))");
                expect(strict, exec);
                if (strict) {
                    assertThat(exec.out()).isEqualTo("exec-42\n");
                }
            }
            case DELETE -> {
                expect(strict, ctr("tasks", "kill", "-s", "SIGKILL", id));
                Cli.Result rm = ctr("tasks", "rm", "-f", id);
                expect(strict, rm);
                expect(strict, ctr("containers", "rm", id));
            }
        }
    }

    private static void expect(boolean strict, Cli.Result r) {
        if (strict) {
            assertThat(r.exit()).as(r.toString()).isZero();
        }
    }

    /**
     * @param beingDeleted the container whose delete the kill interrupted: ctr (as containerd's client
     *                     does) removes the snapshot before the container record, so a kill between
     *                     the two leaves a container without a snapshot, in containerd 1.6 too
     */
    private void checkInvariants(String when, String beingDeleted) throws Exception {
        // 1. every blob has the bytes its digest names
        Path blobs = daemon.root().resolve("content/blobs/sha256");
        for (Path blob : list(blobs)) {
            assertThat(sha256(blob)).as(when + ": content of blob " + blob.getFileName()).isEqualTo(blob.getFileName().toString());
        }
        // 2. every image is complete
        for (String line : ctrOk("images", "check").out().lines().skip(1).toList()) {
            assertThat(line).as(when + ": every image's content is present").containsPattern("\\s(complete) \\((\\d+)/\\2\\)");
        }
        // 3. no task in limbo (a dead shim's clean-up finishes), and each task's state is true of its process
        awaitTrue(when + ": no task left UNKNOWN", () -> !ctrOk("tasks", "ls").out().contains("UNKNOWN"));
        Set<String> withTask = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^(\\S+)\\s+(\\d+)\\s+(\\S+)$").matcher(ctrOk("tasks", "ls").out());
        while (m.find()) {
            String id = m.group(1);
            long pid = Long.parseLong(m.group(2));
            String status = m.group(3);
            withTask.add(id);
            boolean inContainer = pid > 0 && cgroupNames(pid, id);
            if (status.equals("STOPPED")) {
                assertThat(inContainer).as(when + ": task " + id + " is STOPPED and its pid " + pid + " runs no more").isFalse();
            } else {
                assertThat(inContainer).as(when + ": task " + id + " is " + status + " and its pid " + pid + " is its container's").isTrue();
            }
        }
        // 4. no container process runs that no task accounts for
        for (String id : ids) {
            if (!withTask.contains(id)) {
                assertThat(processesOf(id)).as(when + ": processes of " + id + ", which has no task").isEmpty();
            }
        }
        // 5. every container's snapshot exists
        String snapshots = ctrOk("snapshots", "ls").out();
        for (String id : ctrOk("containers", "ls", "-q").out().lines().filter(c -> !c.equals(beingDeleted)).toList()) {
            assertThat(snapshots).as(when + ": the snapshot of container " + id).containsPattern("(?m)^" + Pattern.quote(id) + "\\s");
        }
    }

    /** Undoes what the iteration left, as a user would after the crash: the task, the container, the killed clients' leases, the image. */
    private void converge(String id) {
        if (ctrOk("tasks", "ls", "-q").out().lines().anyMatch(id::equals)) {
            ctr("tasks", "kill", "-s", "SIGKILL", id);
            awaitTrue("task " + id + " stops after SIGKILL", () -> !ctrOk("tasks", "ls").out().contains(id + " ") || ctrOk("tasks", "ls").out()
                    .lines().filter(l -> l.startsWith(id + " ")).allMatch(l -> l.endsWith("STOPPED")));
            Cli.Result rm = ctr("tasks", "rm", "-f", id);
            assertThat(rm.exit()).as(rm.toString()).isZero();
        }
        if (ctrOk("containers", "ls", "-q").out().lines().anyMatch(id::equals)) {
            ctrOk("containers", "rm", id);
        }
        for (String lease : ctrOk("leases", "ls", "-q").out().lines().toList()) {
            ctrOk("leases", "rm", lease);
        }
        collectNow();
    }

    private void removeImage() {
        if (ctrOk("images", "ls", "-q").out().lines().anyMatch(IMAGE::equals)) {
            ctrOk("images", "rm", IMAGE);
        }
        collectNow();
    }

    /** A lease removed with --sync makes the daemon collect before it answers. */
    private void collectNow() {
        String lease = ctrOk("leases", "create").out().strip().split("\\s+")[0];
        ctrOk("leases", "rm", "--sync", lease);
    }

    /**
     * With no container left, what a collection keeps is the image's: every blob on disk has a
     * content record and every record a blob, every snapshot directory a committed record and every
     * record a directory, and no active snapshot is left.
     */
    private void assertUnreferencedReclaimed(String when) {
        Path blobs = daemon.root().resolve("content/blobs/sha256");
        awaitTrue(when + ": after a collection, blobs on disk are the content records and snapshot directories the committed records",
                () -> {
                    List<String> onDisk = list(blobs).stream().map(b -> "sha256:" + b.getFileName()).sorted().toList();
                    List<String> records = ctrOk("content", "ls", "-q").out().lines().sorted().toList();
                    List<String> snapshots = ctrOk("snapshots", "ls").out().lines().skip(1).toList();
                    return onDisk.equals(records) && snapshots.size() == snapshotDirs().size()
                            && snapshots.stream().allMatch(l -> l.strip().endsWith("Committed"));
                });
    }

    private void assertEverythingReclaimed(String when) {
        Path blobs = daemon.root().resolve("content/blobs/sha256");
        awaitTrue(when + ": the collection removes every blob and snapshot (blobs " + blobs + ", snapshots "
                        + daemon.root().resolve("snapshots") + ")",
                () -> list(blobs).isEmpty() && snapshotDirs().isEmpty() && ctrOk("snapshots", "ls").out().lines().count() <= 1);
    }

    private void cleanUp() {
        try {
            if (daemon != null && daemon.isAlive()) {
                for (String id : ids) {
                    ctr("tasks", "kill", "-s", "SIGKILL", id);
                    ctr("tasks", "rm", "-f", id);
                    ctr("containers", "rm", id);
                }
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            List<ProcessHandle> shims = DaemonProcess.shimsOf(dir.resolve("state/jcontainerd.sock"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!shims.isEmpty() && System.nanoTime() < deadline) {
                pause();
                shims = DaemonProcess.shimsOf(dir.resolve("state/jcontainerd.sock"));
            }
            shims.forEach(ProcessHandle::destroyForcibly);
            for (String id : ids) {
                processesOf(id).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
            unmountUnder(dir);
            cgroupsLeft = TestNamespaces.remove(ns);
            // the FIFOs of the ctr runs each kill cut short (their ctr never got to remove them): every id and exec id holds -u-
            CtrFifos.removeOf("-" + u + "-");
        }
    }

    private Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", ns));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 60);
    }

    private Cli.Result ctrOk(String... args) {
        Cli.Result r = ctr(args);
        assertThat(r.exit()).as("ctr " + String.join(" ", args) + ": " + r).isZero();
        return r;
    }

    private Optional<ProcessHandle> shimOf(String id) {
        try {
            Path pidFile = dir.resolve("state/tasks/" + ns + "/" + id + "/shim.pid");
            return Files.exists(pidFile) ? ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private List<Path> snapshotDirs() {
        List<Path> out = new ArrayList<>();
        for (Path driver : list(daemon.root().resolve("snapshots"))) {
            out.addAll(list(driver.resolve("snapshots")));
        }
        return out;
    }

    /** True when process {@code pid} is in a cgroup named for container {@code id}. */
    private static boolean cgroupNames(long pid, String id) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().anyMatch(l -> l.endsWith("/" + id));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Long> processesOf(String id) {
        List<Long> out = new ArrayList<>();
        for (Path p : list(Path.of("/proc"))) {
            String name = p.getFileName().toString();
            if (name.chars().allMatch(Character::isDigit) && cgroupNames(Long.parseLong(name), id)) {
                out.add(Long.parseLong(name));
            }
        }
        return out;
    }

    private static List<Path> list(Path d) {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(SETTLE_S), condition);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void unmountUnder(Path d) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")[4]).filter(mp -> mp.startsWith(d.toString())).toList();
            for (String mp : mounts.reversed()) {
                Cli.run(List.of("umount", "-l", mp), Map.of(), 10);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
