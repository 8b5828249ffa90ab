package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.snapshot.FileTreeView;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Layer apply as root: owners, devices, trusted xattrs and capabilities need it. */
class LayerApplierIT {
    private final LayerApplier applier = new LayerApplier();
    private final Syscalls sys = Syscalls.linux();
    private Path tmp;
    private Path target;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(sys.effectiveUid()).as("applying owners and device nodes needs root").isZero();
        tmp = Files.createTempDirectory("apply-");
        target = Files.createDirectory(tmp.resolve("target"));
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.deleteRecursively(tmp);
    }

    private Applied apply(byte[] layer, WhiteoutMode mode) {
        return applier.apply(new ByteArrayInputStream(layer), Compression.DETECT, target, mode);
    }

    @Test
    void appliesFilesDirectoriesSymlinksAndHardlinksWithOwnersModesAndTimes() throws IOException {
        apply(TestLayer.tar()
                .dir("etc", 0755)
                .owner(1000, 1001).file("etc/motd", "hello".getBytes(StandardCharsets.UTF_8), 0640)
                .owner(0, 0).dir("bin", 0711)
                .file("bin/busybox", "elf".getBytes(StandardCharsets.UTF_8), 0755)
                .hardlink("bin/sh", "bin/busybox")
                .symlink("bin/ls", "busybox")
                .symlink("abs", "/etc/motd")
                .gzip(), WhiteoutMode.DELETE);

        assertThat(FileTreeView.of(target)).containsExactly(
                entry("abs", "symlink -> /etc/motd"),
                entry("bin", "dir 0711 0:0"),
                entry("bin/busybox", "file 0755 0:0 \"elf\""),
                entry("bin/ls", "symlink -> busybox"),
                entry("bin/sh", "file 0755 0:0 \"elf\""),
                entry("etc", "dir 0755 0:0"),
                entry("etc/motd", "file 0640 1000:1001 \"hello\""));
        assertThat(Files.isSameFile(target.resolve("bin/sh"), target.resolve("bin/busybox"))).isTrue();
        FileTime expected = FileTime.fromMillis(TestLayer.MTIME * 1000);
        assertThat(Files.getLastModifiedTime(target.resolve("etc/motd"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(expected);
        assertThat(Files.getLastModifiedTime(target.resolve("bin"), LinkOption.NOFOLLOW_LINKS))
                .as("a directory's time is set after its children were written").isEqualTo(expected);
        assertThat(Files.getLastModifiedTime(target.resolve("bin/ls"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(expected);
    }

    @Test
    void keepsSetuidSetgidAndStickyBits() {
        apply(TestLayer.tar()
                .file("su", "x".getBytes(StandardCharsets.UTF_8), 04755)
                .owner(0, 42).file("wall", "x".getBytes(StandardCharsets.UTF_8), 02755)
                .owner(0, 0).dir("tmp", 01777)
                .bytes(), WhiteoutMode.DELETE);
        assertThat(FileTreeView.describe(target.resolve("su"))).startsWith("file 4755 0:0");
        assertThat(FileTreeView.describe(target.resolve("wall"))).startsWith("file 2755 0:42");
        assertThat(FileTreeView.describe(target.resolve("tmp"))).isEqualTo("dir 1777 0:0");
    }

    @Test
    void appliesBinarySecurityCapabilityAndOtherXattrsFromPaxRecords() {
        // cap_net_raw+ep as setcap writes it: bytes above 0x7f are not valid UTF-8
        byte[] capability = HexFormat.of().parseHex("0100000200200000000000000000000000000000");
        byte[] nonUtf8 = {(byte) 0xff, (byte) 0x80, 0, 1};
        apply(TestLayer.tar()
                .xattr("security.capability", capability)
                .xattr("user.binary", nonUtf8)
                .xattr("trusted.note", "t".getBytes(StandardCharsets.UTF_8))
                .file("bin/ping", "elf".getBytes(StandardCharsets.UTF_8), 0755)
                .gzip(), WhiteoutMode.DELETE);
        String ping = target.resolve("bin/ping").toString();
        assertThat(sys.lgetxattr(ping, "security.capability")).isEqualTo(capability);
        assertThat(sys.lgetxattr(ping, "user.binary")).isEqualTo(nonUtf8);
        assertThat(sys.lgetxattr(ping, "trusted.note")).isEqualTo("t".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void createsCharacterAndBlockDevicesAndFifos() {
        apply(TestLayer.tar()
                .dir("dev", 0755)
                .charDevice("dev/null", 1, 3, 0666)
                .blockDevice("dev/loop9", 7, 9, 0660)
                .fifo("dev/initctl", 0600)
                .bytes(), WhiteoutMode.DELETE);
        assertThat(FileTreeView.describe(target.resolve("dev/null"))).isEqualTo("char " + Syscalls.makedev(1, 3) + " 0666 0:0");
        assertThat(FileTreeView.describe(target.resolve("dev/loop9"))).isEqualTo("block " + Syscalls.makedev(7, 9) + " 0660 0:0");
        assertThat(FileTreeView.describe(target.resolve("dev/initctl"))).isEqualTo("fifo 0600 0:0");
    }

    @Test
    void readsPaxLongPathsAndGnuLongNamesWrittenByCommonsCompress() throws IOException {
        String deep = "a".repeat(60) + "/" + "b".repeat(60) + "/" + "c".repeat(80) + ".txt";
        String longLink = "l".repeat(150);
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(buf)) {
                tar.setLongFileMode(mode);
                TarArchiveEntry file = new TarArchiveEntry(deep);
                byte[] content = "deep".getBytes(StandardCharsets.UTF_8);
                file.setSize(content.length);
                tar.putArchiveEntry(file);
                tar.write(content);
                tar.closeArchiveEntry();
                TarArchiveEntry link = new TarArchiveEntry("link-" + mode, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(longLink);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            apply(buf.toByteArray(), WhiteoutMode.DELETE);
            assertThat(target.resolve(deep)).hasContent("deep");
            assertThat(Files.readSymbolicLink(target.resolve("link-" + mode)).toString()).isEqualTo(longLink);
        }
    }

    @Test
    void whiteoutsDeleteInDeleteMode() throws IOException {
        apply(TestLayer.tar().file("etc/passwd", "root").file("etc/shadow", "x").file("var/cache/a/b", "b").gzip(), WhiteoutMode.DELETE);
        apply(TestLayer.tar().file("etc/.wh.shadow", "").file("var/.wh.cache", "").file(".wh.nothing-there", "").gzip(),
                WhiteoutMode.DELETE);
        assertThat(FileTreeView.of(target)).containsOnlyKeys("etc", "etc/passwd", "var");
    }

    @Test
    void anOpaqueDirectoryInDeleteModeKeepsOnlyThisLayersEntries() {
        apply(TestLayer.tar().file("opt/old1", "1").file("opt/sub/old2", "2").file("keep", "k").gzip(), WhiteoutMode.DELETE);
        apply(TestLayer.tar().dir("opt", 0755).file("opt/new-before", "n").file("opt/.wh..wh..opq", "").file("opt/new-after", "m").gzip(),
                WhiteoutMode.DELETE);
        assertThat(FileTreeView.of(target)).containsOnlyKeys("keep", "opt", "opt/new-before", "opt/new-after");
    }

    @Test
    void whiteoutsBecomeOverlayCharacterDevicesAndOpaqueXattrsInOverlayMode() {
        apply(TestLayer.tar()
                .dir("etc", 0755).file("etc/.wh.shadow", "")
                .dir("opt", 0755).file("opt/.wh..wh..opq", "").file("opt/new", "n")
                .file(".wh..wh.plnk", "")
                .gzip(), WhiteoutMode.OVERLAY);
        assertThat(FileTreeView.describe(target.resolve("etc/shadow"))).isEqualTo("char 0 0000 0:0");
        assertThat(sys.lgetxattr(target.resolve("opt").toString(), "trusted.overlay.opaque")).isEqualTo(new byte[] {'y'});
        assertThat(FileTreeView.of(target)).containsOnlyKeys("etc", "etc/shadow", "opt", "opt/new");
    }

    @Test
    void aDirectoryReplacedByAFileAndAFileByADirectory() {
        apply(TestLayer.tar().file("d/inner", "i").file("f", "file").symlink("s", "d").gzip(), WhiteoutMode.DELETE);
        apply(TestLayer.tar().file("d", "now a file").dir("f", 0700).file("f/x", "x").dir("s", 0755).gzip(), WhiteoutMode.DELETE);
        assertThat(FileTreeView.of(target)).containsOnlyKeys("d", "f", "f/x", "s");
        assertThat(FileTreeView.describe(target.resolve("d"))).endsWith("\"now a file\"");
        assertThat(FileTreeView.describe(target.resolve("f"))).isEqualTo("dir 0700 0:0");
        assertThat(FileTreeView.describe(target.resolve("s"))).isEqualTo("dir 0755 0:0");
    }

    @Test
    void parentsFollowSymlinksInsideTheRootLikeAUsrMergedImage() {
        apply(TestLayer.tar().dir("usr", 0755).dir("usr/lib", 0755).symlink("lib", "usr/lib").symlink("lib64", "/usr/lib")
                .file("lib/libc.so", "c").file("lib64/ld.so", "ld").gzip(), WhiteoutMode.DELETE);
        assertThat(FileTreeView.of(target)).containsOnlyKeys("usr", "usr/lib", "usr/lib/libc.so", "usr/lib/ld.so", "lib", "lib64");
    }

    @Test
    void returnsTheDigestAndSizeOfTheUncompressedStreamForEveryCompression() throws Exception {
        TestLayer layer = TestLayer.tar().file("a", "a".repeat(10_000)).file("b", "b");
        byte[] plain = layer.bytes();
        String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain));
        Map<String, byte[]> blobs = Map.of("gzip", layer.gzip(), "zstd", layer.zstd(), "none", plain);
        for (var blob : blobs.entrySet()) {
            Path dir = Files.createDirectory(tmp.resolve("by-" + blob.getKey()));
            for (Compression c : new Compression[] {Compression.DETECT, Compression.valueOf(blob.getKey().toUpperCase())}) {
                FileTrees.deleteRecursively(dir);
                Files.createDirectory(dir);
                Applied applied = applier.apply(new ByteArrayInputStream(blob.getValue()), c, dir, WhiteoutMode.DELETE);
                assertThat(applied.digest()).as(blob.getKey() + " " + c).isEqualTo(diffId);
                assertThat(applied.size()).isEqualTo(plain.length);
                assertThat(dir.resolve("a")).hasContent("a".repeat(10_000));
            }
        }
        Applied byMediaType = applier.apply(new ByteArrayInputStream(layer.zstd()), "application/vnd.oci.image.layer.v1.tar+zstd",
                Files.createDirectory(tmp.resolve("by-media-type")), WhiteoutMode.DELETE);
        assertThat(byMediaType.digest()).isEqualTo(diffId);
    }

    @Test
    void aBlobThatContradictsItsMediaTypeIsRefused() {
        byte[] plain = TestLayer.tar().file("a", "a").bytes();
        assertThatThrownBy(() -> applier.apply(new ByteArrayInputStream(plain), "application/vnd.docker.image.rootfs.diff.tar.gzip",
                target, WhiteoutMode.DELETE))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("declared gzip");
    }

    @Test
    void aTruncatedGzipLayerFailsClearly() {
        byte[] gz = TestLayer.tar().file("big", "x".repeat(200_000)).file("after", "a").gzip();
        byte[] truncated = Arrays.copyOf(gz, gz.length / 2);
        assertThatThrownBy(() -> apply(truncated, WhiteoutMode.DELETE))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("corrupt or truncated").hasMessageContaining("big");
    }

    @Test
    void aCorruptGzipLayerFailsClearly() {
        byte[] gz = TestLayer.tar().file("a", "some content that compresses ".repeat(100)).gzip();
        for (int i = 20; i < gz.length - 8; i += 7) {
            gz[i] ^= 0x5a;
        }
        assertThatThrownBy(() -> apply(gz, WhiteoutMode.DELETE))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("layer is");
    }

    @Test
    void aTarWithABadHeaderChecksumFailsClearly() {
        byte[] tar = TestLayer.tar().file("a", "a").bytes();
        tar[10] ^= 1; // inside the name of the first header
        assertThatThrownBy(() -> apply(tar, WhiteoutMode.DELETE))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("checksum");
    }

    @Test
    void aTarCutInTheMiddleOfAFileFailsNamingIt() {
        byte[] tar = TestLayer.tar().file("first", "1").file("second", "2".repeat(5000)).bytes();
        byte[] cut = Arrays.copyOf(tar, 512 * 4 + 1000);
        assertThatThrownBy(() -> apply(cut, WhiteoutMode.DELETE))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("second");
    }
}
