package io.jcontainerd.shim;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.ExitStatusFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the supervisor does when a shim died without cleaning up (SIGKILL, OOM kill): the
 * container it supervised keeps running, re-parented to init, with nobody to reap it or report its
 * exit. This kills it and removes its runtime state and cgroup ({@code <runtime> delete --force}),
 * takes the rootfs mounts down and records an exit status if none was recorded (137: killed), so
 * that the task can be reported STOPPED.
 */
public final class DeadShimCleanup {
    /** The exit status recorded for a container killed because its shim died. */
    public static final int KILLED = 128 + 9;

    private DeadShimCleanup() {
    }

    /** Returns the exit status the task ends with: the shim's record if it wrote one, else {@link #KILLED}. */
    public static ExitStatus cleanup(Path runtime, Path runtimeRoot, String id, Path bundle) {
        List<String> command = List.of(runtime.toString(), "--root", runtimeRoot.toString(), "delete", "--force", id);
        try {
            Process delete = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(delete.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!delete.waitFor(30, TimeUnit.SECONDS)) {
                delete.destroyForcibly();
                throw JcdException.unavailable("%s did not finish within 30 s", String.join(" ", command));
            }
            if (delete.exitValue() != 0 && !output.contains("does not exist")) {
                throw JcdException.failedPrecondition("%s failed: %s", String.join(" ", command), output);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot run %s: %s", String.join(" ", command), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while running %s", String.join(" ", command));
        }
        unmountRootfs(bundle.resolve("rootfs"));
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

    private static void unmountRootfs(Path rootfs) {
        try {
            // Stacked mounts come off one at a time; 16 is far more than a rootfs ever has.
            for (int i = 0; i < 16 && isMountPoint(rootfs); i++) {
                Process umount = new ProcessBuilder("umount", "-l", rootfs.toString()).redirectErrorStream(true).start();
                umount.getInputStream().readAllBytes();
                umount.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot unmount %s: %s", rootfs, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isMountPoint(Path path) throws IOException {
        String field = " " + path + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(field));
    }
}
