package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults a Docker user causes, through the real docker CLI 28 against a real jcontainerd: many
 * concurrent {@code run --rm}, concurrent {@code rm -f} of one container, clients that drop
 * hijacked connections, the daemon SIGKILLed in the middle of {@code run -d}. Each ends with
 * nothing left behind (containers, tasks, snapshots, cgroups, network namespaces, veths, shims,
 * FIFOs; the daemon's fds and threads for dropped connections).
 */
class DockerFaultsIT {
    @TempDir
    Path dir;
    DockerFixture d;
    private final List<Process> clients = new ArrayList<>();
    private final String token = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    @BeforeEach
    void start() {
        d = new DockerFixture(dir);
        d.pullBusybox();
    }

    @AfterEach
    void stop() {
        clients.forEach(Process::destroyForcibly);
        d.close();
    }

    @Test
    void fiftyConcurrentRunRemovesAllExitZeroAndLeaveNothingBehind() throws Exception {
        assertThat(d.docker("run", "--rm", "busybox", "true").exit()).isZero();
        Footprint before = Footprint.of(d);
        assertThat(before.containers()).isEmpty();

        long t0 = System.nanoTime();
        List<Cli.Result> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            List<Future<Cli.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                runs.add(pool.submit(() -> d.docker("run", "--rm", "busybox", "true")));
            }
            for (Future<Cli.Result> f : runs) {
                results.add(f.get(300, TimeUnit.SECONDS));
            }
        }
        long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("50 concurrent docker run --rm busybox true: " + wallMs + " ms wall");
        assertThat(results).as("every run exits 0").allSatisfy(r -> assertThat(r.exit()).as(r.toString()).isZero());
        assertThat(d.docker("ps", "-aq").out()).isEmpty();
        Footprint.awaitSame(d, before, 60);
    }

    @Test
    void concurrentForceRemovesOfOneContainerRemoveItOnceAndTellTheOthersItIsGone() throws Exception {
        Footprint before = Footprint.of(d);
        for (String kind : List.of("plain", "autoremove")) {
            String name = "rmf-" + kind + "-" + token;
            List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name));
            if (kind.equals("autoremove")) {
                run.add("--rm");
            }
            run.addAll(List.of("busybox", "sleep", "1000"));
            Cli.Result started = d.docker(run.toArray(String[]::new));
            assertThat(started.exit()).as(started.toString()).isZero();

            // three docker CLIs and three plain API clients at once
            List<Cli.Result> cli = new ArrayList<>();
            List<String> api = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
                List<Future<Cli.Result>> rms = new ArrayList<>();
                List<Future<String>> deletes = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    rms.add(pool.submit(() -> d.docker("rm", "-f", name)));
                    deletes.add(pool.submit(() -> delete(name)));
                }
                for (Future<Cli.Result> f : rms) {
                    cli.add(f.get(120, TimeUnit.SECONDS));
                }
                for (Future<String> f : deletes) {
                    api.add(f.get(120, TimeUnit.SECONDS));
                }
            }
            String inProgress = "removal of container " + name + " is already in progress";
            String noSuch = "No such container: " + name;
            assertThat(api).as(kind + ": DELETE ?force=1 answers").allSatisfy(a -> assertThat(a).isIn("204 ",
                    "409 {\"message\":\"" + inProgress + "\"}", "404 {\"message\":\"" + noSuch + "\"}"));
            // the CLI prints the name when it removed it; with -f it says nothing of a 404 and exits 0, as with dockerd
            assertThat(cli).as(kind + ": docker rm -f").allSatisfy(r -> {
                if (r.exit() == 0) {
                    assertThat(r.out()).as(r.toString()).isIn(name + "\n", "");
                } else {
                    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
                    assertThat(r.err()).as(r.toString()).isEqualTo("Error response from daemon: " + inProgress + "\n");
                }
            });
            long removals = api.stream().filter(a -> a.equals("204 ")).count() + cli.stream().filter(r -> r.out().equals(name + "\n")).count();
            assertThat(removals).as(kind + ": exactly one client removed it: " + api + " " + cli).isEqualTo(1);

            assertThat(delete(name)).isEqualTo("404 {\"message\":\"" + noSuch + "\"}");
            Cli.Result again = d.docker("rm", name);
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("Error response from daemon: " + noSuch + "\n");
        }
        Footprint.awaitSame(d, before, 60);
    }

    /**
     * testcontainers' stop(): POST kill, then at once DELETE ?force=1&v=1. The rm's own SIGKILL met an
     * init that had just died, the kill failed and the removal was left "in progress" for ever (seen in
     * a full run: the container stayed in ps -a).
     */
    @Test
    void aKillFollowedAtOnceByAForceRemoveRemovesTheContainer() throws Exception {
        Footprint before = Footprint.of(d);
        for (int round = 0; round < 8; round++) {
            String name = "killrm-" + round + "-" + token;
            Cli.Result started = d.docker("run", "-d", "--name", name, "busybox", "sleep", "1000");
            assertThat(started.exit()).as(started.toString()).isZero();
            Cli.Result kill = Cli.run(List.of("/usr/bin/curl", "-s", "--unix-socket", d.socket.toString(), "-X", "POST",
                    "-w", "%{http_code}", "-o", "/dev/null", "http://localhost/v1.41/containers/" + name + "/kill"), java.util.Map.of(), 120);
            assertThat(kill.out()).as("round " + round + ": kill " + kill).isEqualTo("204");
            assertThat(delete(name)).as("round " + round + ": rm -f right after the kill").isEqualTo("204 ");
            assertThat(d.docker("ps", "-aq", "--filter", "name=" + name).out()).as("round " + round + ": gone from ps -a").isEmpty();
        }
        Footprint.awaitSame(d, before, 60);
    }

    @Test
    void clientsThatDropHijackedConnectionsMidStreamLeaveNoFdThreadFifoOrProcessBehind() throws Exception {
        String ticker = "ticker-" + token;
        String host = "host-" + token;
        assertThat(d.docker("run", "-d", "--name", ticker, "busybox", "sh", "-c", "while true; do echo tick; sleep 0.1; done").exit()).isZero();
        assertThat(d.docker("run", "-d", "--name", host, "busybox", "sleep", "100000").exit()).isZero();

        dropClients(ticker, host, 0); // the first round opens what the daemon keeps open for good (epoll, pools)
        Footprint before = Footprint.of(d);
        long pid = d.daemon.pid();
        int fds = count(Path.of("/proc/" + pid + "/fd"));
        int threads = threads(pid);
        for (int round = 1; round <= 3; round++) {
            dropClients(ticker, host, round);
        }
        await(() -> count(Path.of("/proc/" + pid + "/fd")) <= fds, "the daemon's fds back to " + fds + ": "
                + fdTargets(pid));
        await(() -> threads(pid) <= threads, "the daemon's threads (platform and virtual) back to " + threads);
        Footprint.awaitSame(d, before, 60);
        assertThat(d.docker("inspect", "--format", "{{.State.Status}}", ticker).out())
                .as("a dropped attach leaves its container running, as dockerd").isEqualTo("running\n");
        assertThat(d.docker("top", host).out().lines().filter(l -> l.endsWith(" cat")).toList())
                .as("the exec -i whose client dropped got EOF on stdin and ended").isEmpty();
    }

    /**
     * One round: {@code docker attach}, {@code docker exec -i} and {@code docker run -i} clients
     * killed (SIGKILL, no goodbye) once output flows; the run -i container ends with its stdin.
     */
    private void dropClients(String ticker, String host, int round) throws Exception {
        Process attach = client("attach", ticker);
        awaitLine(attach, "tick");
        attach.destroyForcibly().waitFor();

        Process exec = client("exec", "-i", host, "cat");
        exec.getOutputStream().write(("hello " + round + "\n").getBytes(StandardCharsets.UTF_8));
        exec.getOutputStream().flush();
        awaitLine(exec, "hello " + round);
        exec.destroyForcibly().waitFor();

        String name = "runi-" + round + "-" + token;
        Process run = client("run", "-i", "--name", name, "busybox", "cat");
        run.getOutputStream().write("echoed\n".getBytes(StandardCharsets.UTF_8));
        run.getOutputStream().flush();
        awaitLine(run, "echoed");
        run.destroyForcibly().waitFor();
        await(() -> d.docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name).out().equals("exited 0\n"),
                "run -i container " + name + " ends with exit 0 when its client's stdin goes, as dockerd closes it (StdinOnce)");
        assertThat(d.docker("rm", name).exit()).isZero();
        await(() -> d.docker("top", host).out().lines().noneMatch(l -> l.endsWith(" cat")),
                "the exec'd cat of round " + round + " ends when its client drops");
    }

    @Test
    void daemonKilledDuringRunDetachedStartsAgainWithAConsistentPsAndTheContainerIsRemovable() throws Exception {
        assertThat(d.docker("run", "--rm", "busybox", "true").exit()).isZero();
        Footprint before = Footprint.of(d);
        Path runDirs = dir.resolve("root/docker/containers");
        Path fifos = dir.resolve("state/docker/fifo");
        // killed while the container is being created (its directory appears), then while it is being started (its FIFOs appear)
        for (String phase : List.of("create", "start")) {
            String name = "crash-" + phase + "-" + token;
            Path marker = phase.equals("create") ? runDirs : fifos;
            List<String> earlier = listing(marker);
            Process run = client("run", "-d", "--name", name, "busybox", "sleep", "1000");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (listing(marker).equals(earlier)) {
                assertThat(System.nanoTime()).as(phase + ": " + marker + " never changed").isLessThan(deadline);
                Thread.onSpinWait();
            }
            d.daemon.kill();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String cliErr = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            d.start();

            Cli.Result ps = d.docker("ps", "-a", "--format", "{{.Names}} {{.State}}");
            assertThat(ps.exit()).as(ps.toString()).isZero();
            System.out.println(phase + ": run -d said " + run.exitValue() + " " + cliErr.strip() + "; after restart ps -a: " + ps.out().strip());
            for (String line : ps.out().lines().toList()) {
                String[] f = line.split(" ");
                assertThat(f[1]).as(line).isIn("created", "running", "exited");
                Cli.Result inspect = d.docker("inspect", "--format", "{{.State.Status}}", f[0]);
                assertThat(inspect.out().strip()).as("inspect agrees with ps: " + line).isEqualTo(f[1]);
                Cli.Result rm = d.docker("rm", "-f", f[0]);
                assertThat(rm.exit()).as(rm.toString()).isZero();
            }
            Cli.Result reuse = d.docker("run", "-d", "--name", name, "busybox", "sleep", "1000");
            assertThat(reuse.exit()).as("the name is free again: " + reuse).isZero();
            assertThat(d.docker("rm", "-f", name).exit()).isZero();
            Footprint.awaitSame(d, before, 60);
        }
    }

    /** {@code DELETE /v1.41/containers/name?force=1} as a plain HTTP client sends it: "status body". */
    private String delete(String name) {
        Cli.Result r = Cli.run(List.of("/usr/bin/curl", "-s", "--unix-socket", d.socket.toString(), "-X", "DELETE",
                "-w", "\n%{http_code}", "-o", "-", "http://localhost/v1.41/containers/" + name + "?force=1"), java.util.Map.of(), 120);
        if (r.exit() != 0) {
            throw new AssertionError("curl failed: " + r);
        }
        // curl writes the body, then a line with the status: turn it round
        int split = r.out().lastIndexOf('\n');
        return r.out().substring(split + 1).strip() + " " + r.out().substring(0, split).strip();
    }

    private Process client(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(DockerFixture.DOCKER));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(d.env());
        Process p = pb.start();
        clients.add(p);
        return p;
    }

    private static void awaitLine(Process p, String line) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String l;
        while ((l = r.readLine()) != null) {
            if (l.equals(line)) {
                return;
            }
        }
        throw new AssertionError("the client ended before it printed " + line + ": "
                + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Footprint.pause(100);
        }
    }

    private static int count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> fdTargets(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "?";
                }
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The daemon's threads, virtual ones included: counted in a thread dump (jcmd Thread.dump_to_file). */
    private int threads(long pid) {
        Path dump = dir.resolve("threads-" + System.nanoTime() + ".json");
        Cli.Result r = Cli.run(List.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd", Long.toString(pid), "Thread.dump_to_file",
                "-format=json", dump.toString()), java.util.Map.of(), 60);
        try {
            if (r.exit() != 0 || !Files.exists(dump)) {
                throw new AssertionError("jcmd Thread.dump_to_file failed: " + r);
            }
            return (int) Files.readString(dump).lines().filter(l -> l.strip().startsWith("\"tid\"")).count();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + dump + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(dump);
            } catch (IOException ignored) {
                // in the test's temp dir
            }
        }
    }

    private static List<String> listing(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
