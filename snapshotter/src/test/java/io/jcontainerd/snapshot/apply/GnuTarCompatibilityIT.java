package io.jcontainerd.snapshot.apply;

import io.jcontainerd.snapshot.FileTreeView;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Archives written by GNU tar (essential on Debian), in its POSIX and GNU formats, unpack to the tree they came from. */
class GnuTarCompatibilityIT {
    private final Syscalls sys = Syscalls.linux();
    private Path tmp;
    private Path source;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(sys.effectiveUid()).as("owners and device nodes need root").isZero();
        tmp = Files.createTempDirectory("gnutar-");
        source = Files.createDirectory(tmp.resolve("source"));
        Path deep = Files.createDirectories(source.resolve("a".repeat(90) + "/" + "b".repeat(90)));
        Files.writeString(deep.resolve("c".repeat(120) + ".txt"), "deep");
        Files.writeString(source.resolve("setuid"), "s");
        sys.chmod(source.resolve("setuid").toString(), 04755);
        Files.writeString(source.resolve("owned"), "o");
        sys.lchown(source.resolve("owned").toString(), 1234, 5678);
        Files.createLink(source.resolve("hardlink"), source.resolve("owned"));
        Files.createSymbolicLink(source.resolve("symlink"), Path.of("x".repeat(150)));
        sys.mknod(source.resolve("fifo").toString(), Syscalls.S_IFIFO | 0640, 0);
        sys.mknod(source.resolve("null").toString(), Syscalls.S_IFCHR | 0666, Syscalls.makedev(1, 3));
        sys.lsetxattr(source.resolve("setuid").toString(), "user.note", "kept".getBytes(StandardCharsets.UTF_8));
        Files.createDirectory(source.resolve("sticky"));
        sys.chmod(source.resolve("sticky").toString(), 01777);
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.deleteRecursively(tmp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix", "gnu"})
    void unpacksWhatGnuTarWrote(String format) throws Exception {
        Path archive = tmp.resolve("layer-" + format + ".tar.gz");
        Process tar = new ProcessBuilder("tar", "--format=" + format, "--xattrs", "--xattrs-include=*", "-czf", archive.toString(),
                "-C", source.toString(), ".").inheritIO().start();
        assertThat(tar.waitFor()).as("tar exit status").isZero();

        Path target = Files.createDirectory(tmp.resolve("target-" + format));
        try (InputStream in = Files.newInputStream(archive)) {
            new LayerApplier().apply(in, Compression.DETECT, target, WhiteoutMode.DELETE);
        }
        assertThat(FileTreeView.of(target)).isEqualTo(FileTreeView.of(source));
        assertThat(Files.isSameFile(target.resolve("hardlink"), target.resolve("owned"))).isTrue();
        if (format.equals("posix")) {
            assertThat(sys.lgetxattr(target.resolve("setuid").toString(), "user.note")).isEqualTo("kept".getBytes(StandardCharsets.UTF_8));
        }
    }
}
