package io.jcontainerd.runtime.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class JnaSyscallsTest {
    @TempDir Path dir;
    private final JnaSyscalls sys = new JnaSyscalls();

    @Test
    void kindTellsFilesDirectoriesSymlinksAndOthersWithoutFollowingLinks() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path toDir = Files.createSymbolicLink(dir.resolve("to-dir"), sub);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThat(sys.kind(file.toString())).isEqualTo(Syscalls.Kind.FILE);
        assertThat(sys.kind(sub.toString())).isEqualTo(Syscalls.Kind.DIRECTORY);
        assertThat(sys.kind(toDir.toString())).isEqualTo(Syscalls.Kind.SYMLINK);
        assertThat(sys.kind(dangling.toString())).isEqualTo(Syscalls.Kind.SYMLINK);
        assertThat(sys.kind("/dev/null")).isEqualTo(Syscalls.Kind.OTHER);
        assertThat(sys.kind(dir.resolve("missing").toString())).isEqualTo(Syscalls.Kind.MISSING);
        assertThat(sys.kind(file.resolve("below-a-file").toString())).as("ENOTDIR").isEqualTo(Syscalls.Kind.MISSING);
    }

    @Test
    void readFromReadsAFileWholeUpToItsLimitWhateverItsSize() throws Exception {
        byte[] big = new byte[40_000]; // beyond the first buffer, so it grows twice
        for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + i % 26);
        Path small = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Path large = Files.write(dir.resolve("large"), big);
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThat(read(small, 1 << 20)).isEqualTo(Files.readAllBytes(small));
        assertThat(read(large, 1 << 20)).isEqualTo(big);
        assertThat(read(large, 20_000)).as("at most the limit").isEqualTo(java.util.Arrays.copyOf(big, 20_000));
        assertThat(read(empty, 1 << 20)).isEmpty();
    }

    private byte[] read(Path file, int max) {
        int fd = sys.open(file.toString(), LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
        try {
            return sys.readFrom(fd, max);
        } finally {
            sys.close(fd);
        }
    }
}
