package io.jcontainerd.snapshot.perf;

import io.jcontainerd.snapshot.apply.Applied;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.snapshot.apply.LayerApplier;
import io.jcontainerd.snapshot.apply.WhiteoutMode;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unpack throughput: a gzip layer of about {@code -Dunpack.mb=200} MB of uncompressed data taken
 * from /usr/share and /usr/lib (files up to 1 MiB, so that it has the many small files of a real
 * image), applied to a fresh directory; prints MB/s of uncompressed data.
 */
class UnpackThroughputIT {
    private Path tmp;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(Syscalls.linux().effectiveUid()).as("applying owners needs root").isZero();
        tmp = Files.createTempDirectory(Path.of("/var/tmp"), "unpack-bench-");
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.deleteRecursively(tmp);
    }

    @Test
    void unpacksALargeGzipLayerAndReportsThroughput() throws Exception {
        long wanted = Long.getLong("unpack.mb", 200) << 20;
        Path blob = tmp.resolve("layer.tar.gz");
        long[] counts = new long[2];
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(blob), 1 << 20);
             GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
             DigestOutputStream digest = new DigestOutputStream(gz, sha);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(digest)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path source : new Path[] {Path.of("/usr/share"), Path.of("/usr/lib")}) {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (counts[0] >= wanted) {
                        return FileVisitResult.TERMINATE;
                    }
                    TarArchiveEntry e = new TarArchiveEntry(dir.toString().substring(1) + "/");
                    e.setMode(0755);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                    counts[1]++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    String name = f.toString().substring(1);
                    if (attrs.isSymbolicLink()) {
                        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                        e.setLinkName(Files.readSymbolicLink(f).toString());
                        tar.putArchiveEntry(e);
                        tar.closeArchiveEntry();
                    } else if (attrs.isRegularFile() && attrs.size() <= (1 << 20) && Files.isReadable(f)) {
                        TarArchiveEntry e = new TarArchiveEntry(name);
                        e.setSize(attrs.size());
                        e.setMode(0644);
                        e.setModTime(attrs.lastModifiedTime());
                        tar.putArchiveEntry(e);
                        Files.copy(f, tar);
                        tar.closeArchiveEntry();
                        counts[0] += attrs.size();
                    } else {
                        return FileVisitResult.CONTINUE;
                    }
                    counts[1]++;
                    return counts[0] >= wanted ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
            }
        }
        String expected = "sha256:" + HexFormat.of().formatHex(sha.digest());
        long compressed = Files.size(blob);

        Path target = Files.createDirectory(tmp.resolve("target"));
        LayerApplier applier = new LayerApplier();
        long start = System.nanoTime();
        Applied applied;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 20)) {
            applied = applier.apply(in, Compression.GZIP, target, WhiteoutMode.OVERLAY);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double mbps = applied.size() / seconds / (1 << 20);
        System.out.printf("unpack: %d entries, %.1f MB uncompressed (%.1f MB gzip) in %.2f s = %.1f MB/s uncompressed%n",
                counts[1], applied.size() / 1048576.0, compressed / 1048576.0, seconds, mbps);

        assertThat(applied.digest()).isEqualTo(expected);
        long files;
        try (var s = Files.walk(target)) {
            files = s.count() - 1;
        }
        assertThat(files).as("every entry, plus the implied usr/").isEqualTo(counts[1] + 1);
    }
}
