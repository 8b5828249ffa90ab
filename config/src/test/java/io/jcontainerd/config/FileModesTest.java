package io.jcontainerd.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class FileModesTest {
    @TempDir
    Path dir;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aDirectoryIsCreatedWithItsModeAndAnExistingOneIsGivenIt() throws Exception {
        assertThat(mode(FileModes.directory(dir.resolve("a/b"), FileModes.PRIVATE_DIR))).isEqualTo("rwx------");
        Path open = Files.createDirectory(dir.resolve("open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertThat(mode(FileModes.directory(open, FileModes.TRAVERSE_ONLY))).isEqualTo("rwx--x--x");
    }

    @Test
    void privateWritesAre0600AndReplaceWhatWasThere() throws Exception {
        Path spec = dir.resolve("config.json");
        FileModes.writePrivate(spec, "{\"env\":[\"SECRET=1\"]}");
        assertThat(mode(spec)).isEqualTo("rw-------");
        Files.setPosixFilePermissions(spec, PosixFilePermissions.fromString("rw-r--r--"));
        FileModes.writePrivate(spec, "{}");
        assertThat(mode(spec)).isEqualTo("rw-------");
        assertThat(Files.readString(spec)).isEqualTo("{}");

        Path pid = dir.resolve("shim.pid");
        Files.writeString(pid, "1");
        FileModes.writePrivateAtomically(pid, "42\n");
        assertThat(mode(pid)).isEqualTo("rw-------");
        assertThat(Files.readString(pid)).isEqualTo("42\n");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json", "shim.pid");
        }
    }

    @Test
    void aLogIsCreatedEmptyAnd0600AndKeepsWhatItHolds() throws Exception {
        Path log = dir.resolve("shim.log");
        FileModes.privateFile(log);
        assertThat(mode(log)).isEqualTo("rw-------");
        Files.writeString(log, "line\n");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        FileModes.privateFile(log);
        assertThat(mode(log)).isEqualTo("rw-------");
        assertThat(Files.readString(log)).isEqualTo("line\n");
    }
}
