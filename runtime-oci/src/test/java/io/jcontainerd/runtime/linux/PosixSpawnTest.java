package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.container.Children;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PosixSpawnTest {
    @TempDir Path dir;

    private static int open(Path file, int flags) {
        int fd = LibC.INSTANCE.open(file.toString(), flags | LinuxConstants.O_CLOEXEC, 0644);
        assertThat(fd).as("open " + file).isGreaterThanOrEqualTo(0);
        return fd;
    }

    private static int run(List<String> argv, int[] fds) {
        int pid = PosixSpawn.spawn(argv, List.of("PATH=/usr/bin:/bin"), fds);
        return Children.own().await(pid);
    }

    @Test
    void theChildGetsExactlyTheNamedDescriptors() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "from stdin\n");
        Path out = dir.resolve("out"), err = dir.resolve("err"), extra = Files.writeString(dir.resolve("extra"), "");
        int inFd = open(in, LinuxConstants.O_RDONLY), outFd = open(out, LinuxConstants.O_WRONLY | 0100 /* O_CREAT */);
        int errFd = open(err, LinuxConstants.O_WRONLY | 0100), extraFd = open(extra, LinuxConstants.O_RDONLY);
        try {
            int status = run(List.of("/bin/sh", "-c", "cat; echo to-stderr >&2; ls /proc/$$/fd"), new int[] {inFd, outFd, errFd});
            assertThat(status).isZero();
            assertThat(Files.readString(out)).isEqualTo("from stdin\n0\n1\n2\n");
            assertThat(Files.readString(err)).isEqualTo("to-stderr\n");
        } finally {
            for (int fd : new int[] {inFd, outFd, errFd, extraFd}) LibC.INSTANCE.close(fd);
        }
    }

    @Test
    void aSourceThatIsAlsoALowerTargetIsReadBeforeItIsOverwritten() throws Exception {
        Path other = dir.resolve("other");
        int otherFd = open(other, LinuxConstants.O_WRONLY | 0100);
        try {
            // child fd 0 = otherFd, child fd 3 = our fd 0: dup2 in order would hand the child otherFd twice
            int status = run(List.of("/bin/sh", "-c", "readlink /proc/$$/fd/3 >&0"), new int[] {otherFd, 1, 2, 0});
            assertThat(status).isZero();
            assertThat(Files.readString(other).strip()).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString());
        } finally {
            LibC.INSTANCE.close(otherFd);
        }
    }

    @Test
    void exitStatusesAreReportedAsRuncDoes() {
        assertThat(run(List.of("/bin/sh", "-c", "exit 3"), new int[] {0, 1, 2})).isEqualTo(3);
        assertThat(run(List.of("/bin/sh", "-c", "kill -9 $$"), new int[] {0, 1, 2})).isEqualTo(137);
    }
}
