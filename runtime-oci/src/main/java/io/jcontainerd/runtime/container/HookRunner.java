package io.jcontainerd.runtime.container;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.PosixSpawn;
import io.jcontainerd.runtime.spec.Hooks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs OCI hooks with the container state on stdin, honouring each hook's timeout. Hooks are spawned
 * and reaped through {@link Children} (never ProcessBuilder, whose reaper thread would race a
 * process that reaps every child itself); their stdout and stderr are this process's.
 */
public final class HookRunner {
    private HookRunner() {}

    public static void run(String phase, List<Hooks.Hook> hooks, String stateJson) {
        run(Children.own(), phase, hooks, stateJson);
    }

    public static void run(Children children, String phase, List<Hooks.Hook> hooks, String stateJson) {
        for (Hooks.Hook h : hooks) {
            int status = runOne(children, phase, h, stateJson.getBytes(StandardCharsets.UTF_8));
            if (status != 0) throw JruncException.system("%s hook %s exited with status %d", phase, h.path(), status);
        }
    }

    private static int runOne(Children children, String phase, Hooks.Hook h, byte[] state) {
        LibC c = LibC.INSTANCE;
        int[] pipe = new int[2];
        if (c.pipe2(pipe, LinuxConstants.O_CLOEXEC) < 0) {
            throw JruncException.system("%s hook %s cannot run: pipe: errno %d", phase, h.path(), Native.getLastError());
        }
        int pid;
        try {
            List<String> argv = new ArrayList<>();
            argv.add(h.path());
            if (h.args().size() > 1) argv.addAll(h.args().subList(1, h.args().size()));
            pid = children.spawn(() -> PosixSpawn.spawn(argv, h.env(), new int[] {pipe[0], 1, 2}));
        } catch (JruncException e) {
            c.close(pipe[1]);
            throw JruncException.system("%s hook %s cannot run: %s", phase, h.path(), e.getMessage());
        } finally {
            c.close(pipe[0]);
        }
        writeQuietly(pipe[1], state);
        long timeout = h.timeout() == null || h.timeout() <= 0 ? 0 : h.timeout();
        if (timeout == 0) return children.await(pid);
        OptionalInt status = children.await(pid, Duration.ofSeconds(timeout));
        if (status.isPresent()) return status.getAsInt();
        c.kill(pid, LinuxConstants.SIGKILL);
        children.await(pid);
        throw JruncException.system("%s hook %s timed out after %d s", phase, h.path(), h.timeout());
    }

    /** The hook may not read its stdin (EPIPE then): that is its business. */
    private static void writeQuietly(int fd, byte[] data) {
        try {
            int off = 0;
            while (off < data.length) {
                byte[] chunk = off == 0 ? data : Arrays.copyOfRange(data, off, data.length);
                long n = LibC.INSTANCE.write(fd, chunk, chunk.length);
                if (n <= 0) return;
                off += (int) n;
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }
}
