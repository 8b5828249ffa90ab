package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Syscalls;
import io.jcontainerd.runtime.spec.Hooks;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs OCI hooks as children of the calling thread (so a hook started by the init stage is in the
 * container's namespaces, with its root and credentials at that point), like runc: the state JSON on
 * stdin, only the hook's own env, its stdout and stderr kept and shown when it fails, killed when it
 * runs past its timeout. stdin and the output are memfds, so a hook that never reads or writes a lot
 * cannot block on a pipe.
 */
public final class HookRunner {
    static final int OUTPUT_SHOWN = 4096;

    private HookRunner() {}

    public static void run(Syscalls sys, String phase, List<Hooks.Hook> hooks, String stateJson) {
        for (int i = 0; i < hooks.size(); i++) runOne(sys, phase, i, hooks.get(i), stateJson);
    }

    /**
     * Runs every hook even when some fail (poststart and poststop: runtime.md makes a failure there a warning,
     * the remaining hooks and the lifecycle go on); returns the failures' messages, in order.
     */
    public static List<String> runEach(Syscalls sys, String phase, List<Hooks.Hook> hooks, String stateJson) {
        List<String> failures = new java.util.ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(sys, phase, i, hooks.get(i), stateJson);
            } catch (JruncException e) {
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    private static void runOne(Syscalls sys, String phase, int index, Hooks.Hook h, String stateJson) {
        String name = phase + " hook #" + index + " " + h.path();
        int in = sys.memfd("hook-stdin", stateJson.getBytes(StandardCharsets.UTF_8));
        int out = -1;
        try {
            out = sys.memfd("hook-output", new byte[0]);
            int pid;
            try {
                pid = sys.spawn(h.path(), h.args().isEmpty() ? List.of(h.path()) : h.args(), h.env(), in, out, out);
            } catch (JruncException e) {
                throw JruncException.system("%s cannot run: %s", name, e.getMessage());
            }
            int status = sys.waitpid(pid, h.timeout() == null ? -1 : h.timeout() * 1000L);
            if (status == -1) {
                sys.kill(pid, LinuxConstants.SIGKILL);
                sys.waitpid(pid, -1);
                throw JruncException.system("%s ran past its timeout of %d s and was killed%s", name, h.timeout(), output(sys, out));
            }
            if (status != 0) throw JruncException.system("%s exited with status %d%s", name, status, output(sys, out));
        } finally {
            sys.close(in);
            if (out >= 0) sys.close(out);
        }
    }

    private static String output(Syscalls sys, int fd) {
        String text = new String(sys.readFrom(fd, OUTPUT_SHOWN), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : "; its output: " + text.replaceAll("\\s*\\n\\s*", " | ");
    }

    /**
     * The state a hook reads on stdin, shaped like runc's (runtime-spec State: no rootfs, created or
     * owner; pid left out when 0, annotations when empty).
     */
    public static String stateJson(String ociVersion, String id, String status, int pid, String bundle, Map<String, String> annotations) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("ociVersion", ociVersion);
        m.put("id", id);
        m.put("status", status);
        if (pid != 0) m.put("pid", (long) pid);
        m.put("bundle", bundle);
        if (!annotations.isEmpty()) m.put("annotations", new java.util.LinkedHashMap<>(annotations));
        return io.jcontainerd.runtime.spec.Json.compact(m);
    }
}
