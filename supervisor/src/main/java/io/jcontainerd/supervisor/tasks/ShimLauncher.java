package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.config.UnixSockets;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.ttrpc.TtrpcException;
import io.jcontainerd.shim.ShimClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts detached {@code jcontainerd-shim} processes through {@code bin/jcontainerd-shim} (which puts
 * each in its own session, so it outlives the daemon), without a task: Create gives them tasks. Each
 * gets a new name; its socket {@code <state>/s/<name>.sock} stays short enough for the 108-byte
 * limit of unix socket paths, and its output goes to {@code <state>/s/<name>.log}. The daemon talks
 * to each over one ttrpc connection.
 */
public final class ShimLauncher {
    private static final long START_TIMEOUT_MS = 30_000;
    private static final SecureRandom NAMES = new SecureRandom();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Path home;
    private final Path dir;
    private final Path daemonSocket;
    private final Path runtime;
    private final boolean runtimeInProcess;

    /**
     * @param home             the installation holding bin/jcontainerd-shim
     * @param state            the daemon's state directory
     * @param daemonSocket     where the shims send events
     * @param runtime          the OCI runtime a shim drives unless a task's Create names another
     * @param runtimeInProcess shims run the installation's own jrunc in their JVM (config runtime.in_process)
     */
    public ShimLauncher(Path home, Path state, Path daemonSocket, Path runtime, boolean runtimeInProcess) {
        this.home = home;
        this.dir = state.resolve("s");
        this.daemonSocket = daemonSocket;
        this.runtime = runtime;
        this.runtimeInProcess = runtimeInProcess;
    }

    /** Where shims' sockets and logs live. */
    Path dir() {
        return dir;
    }

    /** Starts a shim without a task and returns it once it answers. */
    Shim launch() {
        Path launcher = home.resolve("bin/jcontainerd-shim");
        if (!Files.isExecutable(launcher)) {
            throw JcdException.failedPrecondition("%s is missing: jcontainerd cannot start shims; reinstall or build jcontainerd", launcher);
        }
        byte[] random = new byte[6];
        NAMES.nextBytes(random);
        String name = HexFormat.of().formatHex(random);
        Path socket = dir.resolve(name + ".sock");
        Path log = dir.resolve(name + ".log");
        List<String> cmd = List.of(launcher.toString(), "--address", daemonSocket.toString(), "--socket", socket.toString(),
                "--runtime", runtime.toString(), "--runtime-in-process", Boolean.toString(runtimeInProcess));
        Process p;
        try {
            // the shims' sockets and logs: root's alone
            io.jcontainerd.config.FileModes.directory(dir, io.jcontainerd.config.FileModes.PRIVATE_DIR);
            io.jcontainerd.config.FileModes.privateFile(log);
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot start a shim (%s): %s", launcher, e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        String failure = "did not answer on " + socket + " within " + START_TIMEOUT_MS + " ms";
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (UnixSockets.answers(socket)) {
                Shim shim = connect(name, socket, log);
                if (shim != null) {
                    return shim;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "was interrupted while starting";
                break;
            }
        }
        if (!p.isAlive()) {
            failure = "exited with " + p.exitValue();
        }
        p.destroyForcibly();
        String output = Shim.tail(log);
        Shim.deleteQuietly(socket);
        Shim.deleteQuietly(log);
        throw JcdException.unavailable("a new shim %s: %s", failure, output);
    }

    /** The shim serving {@code socket} (one started before a daemon restart), or null if nothing answers there. */
    Shim reconnect(Path socket) {
        String file = socket.getFileName().toString();
        String name = file.endsWith(".sock") ? file.substring(0, file.length() - ".sock".length()) : file;
        return UnixSockets.answers(socket) ? connect(name, socket, socket.resolveSibling(name + ".log")) : null;
    }

    private Shim connect(String name, Path socket, Path log) {
        ShimClient client;
        try {
            client = ShimClient.connect(socket);
        } catch (TtrpcException e) {
            return null;
        }
        try {
            long pid = client.withTimeout(CONNECT_TIMEOUT).connect(ConnectRequest.getDefaultInstance()).getShimPid();
            Instant started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElse(null);
            return new Shim(name, socket, log, pid, started, client);
        } catch (TtrpcException | JcdException e) {
            client.close();
            return null;
        }
    }
}
