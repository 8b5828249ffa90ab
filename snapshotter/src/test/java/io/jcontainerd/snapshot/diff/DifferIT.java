package io.jcontainerd.snapshot.diff;

import io.jcontainerd.snapshot.FileTreeView;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.snapshot.apply.LayerApplier;
import io.jcontainerd.snapshot.apply.MountApplier;
import io.jcontainerd.snapshot.apply.TestLayer;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Diff (containerd's Compare) for both drivers: the changes made in a container, written as a
 * layer and applied on the same parent, must reproduce the container's tree.
 */
class DifferIT {
    private final Mounter mounter = Mounter.linux();
    private final Syscalls sys = Syscalls.linux();
    private final List<Path> mounted = new ArrayList<>();
    private Path tmp;
    private Snapshotter snapshotter;
    private MountApplier applier;
    private Differ differ;

    private static final byte[] CAP_NET_RAW = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    @BeforeEach
    void setUp() throws IOException {
        assertThat(sys.effectiveUid()).as("mounting snapshots needs root").isZero();
        tmp = Files.createTempDirectory("differ-");
        applier = new MountApplier(new LayerApplier(), mounter, tmp.resolve("scratch"));
        differ = new Differ(mounter, tmp.resolve("scratch"));
    }

    @AfterEach
    void tearDown() throws IOException {
        mounted.reversed().forEach(mounter::unmountAll);
        if (snapshotter != null) {
            snapshotter.close();
        }
        FileTrees.deleteRecursively(tmp);
    }

    @Test
    void overlayChangesRoundTripThroughALayer() throws IOException {
        List<TarEntry> entries = roundTrip(OverlaySnapshotter::new);
        assertThat(entries).extracting(TarEntry::name)
                .contains("etc/.wh.shadow", "var/.wh.cache", "opt/.wh..wh..opq");
    }

    @Test
    void nativeChangesRoundTripThroughALayer() throws IOException {
        List<TarEntry> entries = roundTrip(NativeSnapshotter::new);
        assertThat(entries).extracting(TarEntry::name)
                .contains("etc/.wh.shadow", "var/.wh.cache", "opt/.wh.old")
                .doesNotContain("etc/passwd", "usr/", "usr/bin/unchanged");
    }

    @Test
    void aDiffAgainstAnOlderAncestorMountsTheTreesAndWalksBoth() throws IOException {
        snapshotter = new OverlaySnapshotter(tmp.resolve("root"));
        String gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
        applier.apply(snapshotter.prepare("a", "", Map.of()), new ByteArrayInputStream(TestLayer.tar().file("one", "1").file("gone", "g").gzip()), gzip);
        snapshotter.commit("layer-0", "a", Map.of());
        applier.apply(snapshotter.prepare("b", "layer-0", Map.of()),
                new ByteArrayInputStream(TestLayer.tar().file("two", "2").file(".wh.gone", "").gzip()), gzip);
        snapshotter.commit("layer-1", "b", Map.of());
        Path rootfs = mount(snapshotter.prepare("container", "layer-1", Map.of()), "container");
        Files.writeString(rootfs.resolve("three"), "3");
        Map<String, String> expected = FileTreeView.of(rootfs);

        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        DiffResult diff = differ.compare(snapshotter.view("base", "layer-0", Map.of()), snapshotter.mounts("container"),
                Compression.NONE, blob);
        assertThat(diff.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
        assertThat(diff.diffId()).isEqualTo(diff.digest());

        applier.apply(snapshotter.prepare("replay", "layer-0", Map.of()), new ByteArrayInputStream(blob.toByteArray()), diff.mediaType());
        snapshotter.commit("replayed", "replay", Map.of());
        Path check = mount(snapshotter.view("check", "replayed", Map.of()), "check");
        assertThat(FileTreeView.of(check)).isEqualTo(expected).containsOnlyKeys("one", "two", "three");
        try (var left = Files.list(tmp.resolve("scratch"))) {
            assertThat(left).as("temporary mount points are removed").isEmpty();
        }
    }

    @Test
    void aDiffWithoutParentHoldsTheWholeTree() throws IOException {
        snapshotter = new OverlaySnapshotter(tmp.resolve("root"));
        Path rootfs = mount(snapshotter.prepare("fresh", "", Map.of()), "fresh");
        Files.createDirectories(rootfs.resolve("a/b"));
        Files.writeString(rootfs.resolve("a/b/c"), "c");
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        differ.compare(List.of(), snapshotter.mounts("fresh"), Compression.NONE, blob);
        List<String> names = new ArrayList<>();
        TarReader reader = new TarReader(new ByteArrayInputStream(blob.toByteArray()));
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            names.add(e.name());
        }
        assertThat(names).containsExactly("a/", "a/b/", "a/b/c");
    }

    private List<TarEntry> roundTrip(Function<Path, Snapshotter> driver) throws IOException {
        snapshotter = driver.apply(tmp.resolve("root"));
        byte[] base = TestLayer.tar()
                .dir("etc", 0755).file("etc/passwd", "root").file("etc/shadow", "secret").file("etc/hosts", "localhost")
                .dir("var", 0755).dir("var/cache", 0755).file("var/cache/big", "cached")
                .dir("opt", 0755).file("opt/old", "old")
                .dir("usr", 0755).dir("usr/bin", 0755).file("usr/bin/unchanged", "same")
                .gzip();
        applier.apply(snapshotter.prepare("base-active", "", Map.of()), new ByteArrayInputStream(base), "application/vnd.oci.image.layer.v1.tar+gzip");
        snapshotter.commit("base", "base-active", Map.of());

        List<Mount> containerMounts = snapshotter.prepare("container", "base", Map.of());
        Path rootfs = mount(containerMounts, "container");
        Files.writeString(rootfs.resolve("etc/hosts"), "localhost\n10.0.0.1 web");
        Files.delete(rootfs.resolve("etc/shadow"));
        FileTrees.deleteRecursively(rootfs.resolve("var/cache"));
        FileTrees.deleteRecursively(rootfs.resolve("opt"));
        Files.createDirectory(rootfs.resolve("opt"));
        Files.writeString(rootfs.resolve("opt/new"), "new");
        Files.createDirectories(rootfs.resolve("app/bin"));
        Files.writeString(rootfs.resolve("app/bin/server"), "elf");
        sys.lsetxattr(rootfs.resolve("app/bin/server").toString(), "security.capability", CAP_NET_RAW);
        Files.createLink(rootfs.resolve("app/bin/server-link"), rootfs.resolve("app/bin/server"));
        Files.createSymbolicLink(rootfs.resolve("app/current"), Path.of("bin/server"));
        sys.chmod(rootfs.resolve("etc").toString(), 0750);
        Map<String, String> expected = FileTreeView.of(rootfs);

        List<Mount> lower = snapshotter.view("base-view", "base", Map.of());
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        DiffResult diff = differ.compare(lower, snapshotter.mounts("container"), Compression.GZIP, blob);
        assertThat(diff.size()).isEqualTo(blob.size());
        assertThat(diff.digest()).isEqualTo(sha256(blob.toByteArray()));
        assertThat(diff.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");

        var applied = applier.apply(snapshotter.prepare("replay", "base", Map.of()), new ByteArrayInputStream(blob.toByteArray()),
                diff.mediaType());
        assertThat(applied.digest()).isEqualTo(diff.diffId());
        snapshotter.commit("replayed", "replay", Map.of());
        Path check = mount(snapshotter.view("check", "replayed", Map.of()), "check");
        assertThat(FileTreeView.of(check)).isEqualTo(expected);
        assertThat(sys.lgetxattr(check.resolve("app/bin/server").toString(), "security.capability")).isEqualTo(CAP_NET_RAW);
        assertThat(Files.isSameFile(check.resolve("app/bin/server"), check.resolve("app/bin/server-link"))).isTrue();

        List<TarEntry> entries = new ArrayList<>();
        TarReader reader = new TarReader(new GZIPInputStream(new ByteArrayInputStream(blob.toByteArray())));
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            entries.add(e);
        }
        assertThat(entries).filteredOn(e -> e.name().equals("app/bin/server-link")).singleElement()
                .extracting(TarEntry::type).isEqualTo(TarEntry.Type.HARDLINK);
        return entries;
    }

    private Path mount(List<Mount> mounts, String name) throws IOException {
        Path target = Files.createDirectories(tmp.resolve("mnt").resolve(name));
        mounter.mountAll(mounts, target);
        mounted.add(target);
        return target;
    }

    private static String sha256(byte[] b) throws IOException {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }
}
