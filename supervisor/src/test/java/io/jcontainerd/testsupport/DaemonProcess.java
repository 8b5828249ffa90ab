package io.jcontainerd.testsupport;

import io.jcontainerd.config.UnixSockets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real jcontainerd started through bin/jcontainerd on a private root, state dir and socket.
 * {@link #close} stops it with SIGTERM (then SIGKILL after 10 s), by its own PID only.
 * While it runs it holds the test lock of the namespaces every daemon shares ({@link SharedNamespaces}):
 * the last daemon of the machine's tests to stop removes the cgroups and runtime state directories of
 * "default" and "k8s.io" that the tests made.
 */
public final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final Path root;
    private final Path state;
    private final Path socket;
    private final Path log;
    private boolean holdsNamespaces;

    private DaemonProcess(Process process, Path root, Path state, Path socket, Path log) {
        this.process = process;
        this.root = root;
        this.state = state;
        this.socket = socket;
        this.log = log;
    }

    /** Starts a daemon under {@code dir} ({@code dir/root}, {@code dir/state}) and waits until it serves. */
    public static DaemonProcess start(Path dir, String... extraArgs) {
        return start(dir.resolve("root"), dir.resolve("state"), dir.resolve("daemon.log"), extraArgs);
    }

    public static DaemonProcess start(Path root, Path state, Path log, String... extraArgs) {
        return start(List.of(), root, state, log, extraArgs);
    }

    /**
     * Starts a daemon under {@code dir} through {@code launcher}, a command that execs its arguments
     * (e.g. {@code ip netns exec NS}), so {@link #pid()} is still the daemon's.
     */
    public static DaemonProcess startThrough(List<String> launcher, Path dir, String... extraArgs) {
        return start(launcher, dir.resolve("root"), dir.resolve("state"), dir.resolve("daemon.log"), extraArgs);
    }

    private static DaemonProcess start(List<String> launcher, Path root, Path state, Path log, String... extraArgs) {
        SharedNamespaces.enter();
        Process p;
        try {
            p = launch(launcher, root, state, log, extraArgs);
        } catch (RuntimeException | Error e) {
            SharedNamespaces.leave();
            throw e;
        }
        DaemonProcess d = new DaemonProcess(p, root, state, state.resolve("jcontainerd.sock"), log);
        d.holdsNamespaces = true;
        d.awaitServing();
        return d;
    }

    /** Starts the daemon and waits for it to exit, for start-up errors. */
    public static Cli.Result runExpectingExit(Path root, Path state, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jcontainerd").toString(),
                "--root", root.toString(), "--state", state.toString()));
        cmd.addAll(List.of(extraArgs));
        return Cli.run(cmd, java.util.Map.of(), 30);
    }

    private static Process launch(List<String> launcher, Path root, Path state, Path log, String... extraArgs) {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(RepoRoot.find().resolve("bin/jcontainerd").toString(),
                "--root", root.toString(), "--state", state.toString()));
        cmd.addAll(List.of(extraArgs));
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // A test that fails before its clean-up must not leave a daemon behind when the JVM ends.
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-daemon-" + p.pid()));
            return p;
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd + ": " + e.getMessage(), e);
        }
    }

    /**
     * How long a test daemon may take to serve its socket: about 2 s idle, but a JVM start at load 30
     * (CI and other work share 2 cores) took more than the 30 s this used to be.
     */
    public static final long SERVE_TIMEOUT_SECONDS = 90;

    private void awaitServing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SERVE_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                leaveNamespaces();
                throw new AssertionError("jcontainerd exited with " + process.exitValue() + " before serving:\n" + log());
            }
            if (answers(socket)) {
                return;
            }
            sleep(20);
        }
        close();
        throw new AssertionError("jcontainerd did not serve " + socket + " within " + SERVE_TIMEOUT_SECONDS + " s:\n" + log());
    }

    public static boolean answers(Path socket) {
        return UnixSockets.answers(socket);
    }

    public Path socket() {
        return socket;
    }

    public Path root() {
        return root;
    }

    public Path state() {
        return state;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The shim processes started for a daemon on this state dir (they send events to its socket), by pid. */
    public List<ProcessHandle> shims() {
        return shimsOf(socket);
    }

    /** The shim processes whose events go to {@code daemonSocket}, whichever daemon started them. */
    public static List<ProcessHandle> shimsOf(Path daemonSocket) {
        String address = "--address " + daemonSocket + " ";
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a) + " ").orElse("").contains(address))
                .filter(p -> p.info().arguments().map(a -> a.length > 0 && String.join(" ", a).contains("jcontainerd-shim")).orElse(false))
                .toList();
    }

    /** Waits up to {@code seconds} for the daemon's shim processes to number {@code count}; returns them. */
    public List<ProcessHandle> awaitShims(int count, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<ProcessHandle> now = shims();
        while (now.size() != count && System.nanoTime() < deadline) {
            sleep(100);
            now = shims();
        }
        if (now.size() != count) {
            throw new AssertionError("expected " + count + " shim processes of " + socket + " within " + seconds + " s, found "
                    + now.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
        }
        return now;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Waits up to 10 s for {@code text} to appear in the daemon's log (it is written after the socket opens). */
    public void awaitLog(String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("daemon log never said \"" + text + "\":\n" + log());
            }
            sleep(20);
        }
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leaveNamespaces();
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leaveNamespaces();
    }

    /**
     * Once: the daemon's share of the namespaces goes back. What stays of them is named on stderr
     * (containers a test left, or one running still); scripts/test.sh fails on it after the run.
     */
    private synchronized void leaveNamespaces() {
        if (holdsNamespaces) {
            holdsNamespaces = false;
            List<String> left = SharedNamespaces.leave();
            if (!left.isEmpty()) {
                System.err.println("jcontainerd tests: the last test daemon on the machine stopped; still there of namespaces "
                        + SharedNamespaces.NAMES + " (containers running, or left by a test): " + left);
            }
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        leaveNamespaces();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
