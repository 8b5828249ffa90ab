package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.daemon.SocketGuard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts one detached {@code jcontainerd-shim} per task through {@code bin/jcontainerd-shim}
 * (which puts it in its own session, so it outlives the daemon) and waits until it serves.
 * Shim sockets live at {@code <state>/s/<hash>.sock}, short enough for the 108-byte limit of
 * unix socket paths whatever the namespace and id.
 */
public final class ShimLauncher {
    private static final long START_TIMEOUT_MS = 30_000;

    private final Path home;
    private final Path state;
    private final Path daemonSocket;
    private final boolean runtimeInProcess;

    /**
     * @param home             the installation holding bin/jcontainerd-shim
     * @param state            the daemon's state directory
     * @param daemonSocket     where the shim sends events
     * @param runtimeInProcess shims run the installation's own jrunc in their JVM (config runtime.in_process)
     */
    public ShimLauncher(Path home, Path state, Path daemonSocket, boolean runtimeInProcess) {
        this.home = home;
        this.state = state;
        this.daemonSocket = daemonSocket;
        this.runtimeInProcess = runtimeInProcess;
    }

    public Path socketFor(String ns, String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((ns + "/" + id).getBytes(StandardCharsets.UTF_8));
            return state.resolve("s").resolve(HexFormat.of().formatHex(h, 0, 12) + ".sock");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the shim for task {@code ns/id} with its bundle, and returns its socket once it answers. */
    public Path launch(String ns, String id, Path bundle, Path runtime) {
        Path socket = socketFor(ns, id);
        Path launcher = home.resolve("bin/jcontainerd-shim");
        if (!Files.isExecutable(launcher)) {
            throw JcdException.failedPrecondition("%s is missing: jcontainerd cannot start shims; reinstall or build jcontainerd", launcher);
        }
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--namespace", ns, "--id", id,
                "--bundle", bundle.toString(), "--address", daemonSocket.toString(), "--socket", socket.toString()));
        if (runtime != null) {
            cmd.addAll(List.of("--runtime", runtime.toString()));
        }
        if (!runtimeInProcess) {
            cmd.addAll(List.of("--runtime-in-process", "false"));
        }
        Process p;
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(bundle.resolve("shim.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot start the shim of task %s in namespace %s: %s", id, ns, e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (SocketGuard.answers(socket)) {
                return socket;
            }
            if (!p.isAlive() && p.exitValue() != 0) {
                throw JcdException.failedPrecondition("the shim of task %s in namespace %s exited with %d: %s", id, ns,
                        p.exitValue(), tail(bundle.resolve("shim.log")));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        throw JcdException.unavailable("the shim of task %s in namespace %s did not answer on %s within %d ms: %s", id, ns,
                socket, START_TIMEOUT_MS, tail(bundle.resolve("shim.log")));
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no shim log at " + log + ")";
        }
    }
}
