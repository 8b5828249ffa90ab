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
}
