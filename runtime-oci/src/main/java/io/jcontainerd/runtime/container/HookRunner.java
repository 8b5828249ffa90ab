package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Hooks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs OCI hooks with the container state on stdin, honouring each hook's timeout. */
public final class HookRunner {
    private HookRunner() {}

    public static void run(String phase, List<Hooks.Hook> hooks, String stateJson) {
        for (Hooks.Hook h : hooks) {
            List<String> cmd = new ArrayList<>();
            cmd.add(h.path());
            if (h.args().size() > 1) cmd.addAll(h.args().subList(1, h.args().size()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().clear();
            for (String e : h.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
            try {
                java.lang.Process p = pb.start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stateJson.getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the hook may not read its stdin
                }
                long timeout = h.timeout() == null || h.timeout() <= 0 ? Long.MAX_VALUE : h.timeout();
                if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw JruncException.system("%s hook %s timed out after %d s", phase, h.path(), h.timeout());
                }
                if (p.exitValue() != 0) throw JruncException.system("%s hook %s exited with status %d", phase, h.path(), p.exitValue());
            } catch (IOException e) {
                throw JruncException.system("%s hook %s cannot run: %s", phase, h.path(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw JruncException.system("%s hook %s interrupted", phase, h.path());
            }
        }
    }
}
