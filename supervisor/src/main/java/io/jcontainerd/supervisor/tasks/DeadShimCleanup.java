package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.ShimFiles;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.ExitStatusFile;
import io.jcontainerd.snapshot.mount.Mounter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the supervisor does when a shim died without cleaning up (SIGKILL, OOM kill): the
 * container it supervised keeps running, re-parented to init, with nobody to reap it or report its
 * exit. This kills it and removes its runtime state and cgroup ({@code <runtime> delete --force},
 * given up after a timeout), takes the rootfs mounts down through the snapshotter's {@link Mounter}
 * (every stacked mount, whatever characters the path has) and records an exit status if none was
 * recorded (137: killed), so that the task can be reported STOPPED.
 */
public final class DeadShimCleanup {
    /** The exit status recorded for a container killed because its shim died. */
    public static final int KILLED = 128 + 9;
    /** How much of the runtime's output goes into an error message. */
    private static final int OUTPUT_LIMIT = 16 * 1024;

    private final Mounter mounter;
    private final Duration timeout;

    public DeadShimCleanup(Mounter mounter, Duration timeout) {
        this.mounter = mounter;
        this.timeout = timeout;
    }

    /** Returns the exit status the task ends with: the shim's record if it wrote one, else {@link #KILLED}. */
    public ExitStatus cleanup(Path runtime, Path runtimeRoot, String id, Path bundle) {
        deleteWithRuntime(List.of(runtime.toString(), "--root", runtimeRoot.toString(), "delete", "--force", id));
        try {
            mounter.unmountAll(bundle.resolve("rootfs"));
        } catch (RuntimeException e) {
            throw JcdException.failedPrecondition("cannot unmount %s: %s", bundle.resolve("rootfs"), e.getMessage());
        }
        for (String name : List.of(ShimFiles.ADDRESS, ShimFiles.PID)) {
            try {
                Files.deleteIfExists(bundle.resolve(name));
            } catch (IOException ignored) {
                // Removed with the bundle.
            }
        }
        return ExitStatusFile.read(bundle).orElseGet(() -> {
            ExitStatus killed = new ExitStatus(0, KILLED, Instant.now());
            ExitStatusFile.write(bundle, killed);
            return killed;
        });
    }

    /**
     * Runs the runtime's delete with its output in a file, so the timeout starts when the process
     * does (a runtime that hangs holding its output open is killed after {@link #timeout}).
     */
    private void deleteWithRuntime(List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("jcontainerd-runtime-delete-", ".log");
            Process delete = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!delete.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                delete.descendants().forEach(ProcessHandle::destroyForcibly);
                delete.destroyForcibly();
                delete.waitFor(5, TimeUnit.SECONDS);
                throw JcdException.unavailable("%s did not finish within %d s: killed it; the container may still run",
                        String.join(" ", command), timeout.toSeconds());
            }
            String text = head(output);
            if (delete.exitValue() != 0 && !text.contains("does not exist")) {
                throw JcdException.failedPrecondition("%s failed: %s", String.join(" ", command), text);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot run %s: %s", String.join(" ", command), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while running %s", String.join(" ", command));
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    private static String head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8).strip();
        }
    }

    /** Whether {@code path} is a mount point: field 5 of /proc/self/mountinfo, octal escapes undone, compared whole. */
    static boolean isMountPoint(Path path) throws IOException {
        String wanted = path.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo writes space, tab, newline and backslash as {@code \040}, {@code \011}, {@code \012}, {@code \134}. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }
}
