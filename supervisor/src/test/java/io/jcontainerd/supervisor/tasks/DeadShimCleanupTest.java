package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cleaning up after a shim that died: a runtime that hangs is given up on time; the rootfs comes down whatever its path. */
class DeadShimCleanupTest {
    @TempDir
    Path dir;

    private Path runtime(String body) throws IOException {
        Path script = dir.resolve("runtime");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void aRuntimeThatHangsWhileHoldingItsOutputOpenIsGivenUpAfterTheTimeout() throws Exception {
        // prints, then never exits and never closes its output: reading to the end would wait for ever
        String sleep = "sleep " + (600 + System.nanoTime() % 1000);
        Path hanging = runtime("echo deleting; exec " + sleep);
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> new DeadShimCleanup(Mounter.linux(), Duration.ofSeconds(2))
                .cleanup(hanging, dir.resolve("state"), "c1", bundle))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("did not finish within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to give up").isLessThan(Duration.ofSeconds(15));
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").equals(sleep)).toList())
                .as("the hanging runtime is killed").isEmpty();
    }

    @Test
    void aStackedRootfsIsUnmountedEvenWhenItsPathHasASpace() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle with space"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        try {
            for (int i = 0; i < 2; i++) {
                Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "dead-shim-test", rootfs.toString())
                        .redirectErrorStream(true).start();
                assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("mount tmpfs on " + rootfs).isTrue();
            }
            assertThat(DeadShimCleanup.isMountPoint(rootfs)).as("mounted, as mountinfo escapes it").isTrue();

            ExitStatus exit = new DeadShimCleanup(Mounter.linux(), Duration.ofSeconds(10))
                    .cleanup(runtime("exit 0"), dir.resolve("state"), "c1", bundle);

            assertThat(exit.status()).isEqualTo(DeadShimCleanup.KILLED);
            assertThat(mountinfoMentions("dead-shim-test")).as("tmpfs mounts left").isEmpty();
        } finally {
            for (int i = 0; i < 4 && !mountinfoMentions("dead-shim-test").isEmpty(); i++) {
                new ProcessBuilder("umount", "-l", rootfs.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> mountinfoMentions(String source) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" " + source + " ")).toList();
    }
}
