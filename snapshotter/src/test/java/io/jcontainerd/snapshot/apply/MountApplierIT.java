package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.snapshot.FileTreeView;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Unpacking an image the way a pull does: prepare, apply to the mounts, commit; for both drivers. */
class MountApplierIT {
    private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

    private final Mounter mounter = Mounter.linux();
    private final List<Path> mounted = new ArrayList<>();
    private Path tmp;
    private MountApplier applier;
    private Snapshotter snapshotter;

    private final TestLayer base = TestLayer.tar()
            .dir("etc", 0755).file("etc/passwd", "root").file("etc/shadow", "secret")
            .owner(7, 7).dir("opt", 0750).owner(0, 0).file("opt/old", "old").dir("opt/sub", 0755).file("opt/sub/older", "older")
            .dir("srv", 0700).file("srv/keep", "keep")
            .dir("d", 0755).file("d/inner", "inner")
            .file("f", "file");
    private final TestLayer top = TestLayer.tar()
            .file("etc/.wh.shadow", "")
            .dir("opt", 0750).file("opt/.wh..wh..opq", "").file("opt/new", "new")
            .file("srv/added", "added") // srv/ itself is not in this layer: the upper copy must keep 0700
            .file("d", "now a file")
            .dir("f", 0755).file("f/x", "x");

    @BeforeEach
    void setUp() throws IOException {
        assertThat(Syscalls.linux().effectiveUid()).as("mounting snapshots needs root").isZero();
        tmp = Files.createTempDirectory("mount-apply-");
        applier = new MountApplier(new LayerApplier(), mounter, tmp.resolve("scratch"));
    }

    @AfterEach
    void tearDown() throws IOException {
        mounted.forEach(mounter::unmountAll);
        if (snapshotter != null) {
            snapshotter.close();
        }
        FileTrees.deleteRecursively(tmp);
    }

    @Test
    void overlaySnapshotsUnpackAnImageWithWhiteoutsOpaqueDirectoriesAndReplacements() throws IOException {
        unpacksTheImage(OverlaySnapshotter::new);
    }

    @Test
    void nativeSnapshotsUnpackAnImageWithWhiteoutsOpaqueDirectoriesAndReplacements() throws IOException {
        unpacksTheImage(NativeSnapshotter::new);
    }

    private void unpacksTheImage(Function<Path, Snapshotter> driver) throws IOException {
        snapshotter = driver.apply(tmp.resolve("root"));
        Applied first = applier.apply(snapshotter.prepare("extract-1", "", Map.of()), new ByteArrayInputStream(base.gzip()), GZIP);
        snapshotter.commit("layer-1", "extract-1", Map.of());
        Applied second = applier.apply(snapshotter.prepare("extract-2", "layer-1", Map.of()), new ByteArrayInputStream(top.gzip()), GZIP);
        snapshotter.commit("layer-2", "extract-2", Map.of());
        assertThat(first.digest()).startsWith("sha256:").isNotEqualTo(second.digest());

        Path rootfs = mount(snapshotter.prepare("container", "layer-2", Map.of()), "rootfs");
        assertThat(FileTreeView.of(rootfs)).containsExactly(
                entry("d", "file 0644 0:0 \"now a file\""),
                entry("etc", "dir 0755 0:0"),
                entry("etc/passwd", "file 0644 0:0 \"root\""),
                entry("f", "dir 0755 0:0"),
                entry("f/x", "file 0644 0:0 \"x\""),
                entry("opt", "dir 0750 0:0"),
                entry("opt/new", "file 0644 0:0 \"new\""),
                entry("srv", "dir 0700 0:0"),
                entry("srv/added", "file 0644 0:0 \"added\""),
                entry("srv/keep", "file 0644 0:0 \"keep\""));
    }

    @Test
    void otherMountsAreAppliedThroughATemporaryMount() throws IOException {
        snapshotter = new OverlaySnapshotter(tmp.resolve("root"));
        applier.apply(snapshotter.prepare("extract-1", "", Map.of()), new ByteArrayInputStream(base.gzip()), GZIP);
        snapshotter.commit("layer-1", "extract-1", Map.of());
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        List<Mount> twoMounts = new ArrayList<>(snapshotter.prepare("extract-2", "layer-1", Map.of()));
        twoMounts.add(new Mount("bind", extra.toString(), "srv", List.of("rw", "rbind")));

        applier.apply(twoMounts, new ByteArrayInputStream(TestLayer.tar().file("etc/.wh.passwd", "").file("srv/through", "t").gzip()), GZIP);
        snapshotter.commit("layer-2", "extract-2", Map.of());

        assertThat(extra.resolve("through")).hasContent("t");
        Path view = mount(snapshotter.view("check", "layer-2", Map.of()), "check");
        assertThat(view.resolve("etc/passwd")).doesNotExist();
        assertThat(view.resolve("etc/shadow")).hasContent("secret");
        try (var left = Files.list(tmp.resolve("scratch"))) {
            assertThat(left).as("temporary mount points are removed").isEmpty();
        }
    }

    @Test
    void readOnlyMountsAreRefused() throws IOException {
        snapshotter = new OverlaySnapshotter(tmp.resolve("root"));
        applier.apply(snapshotter.prepare("extract-1", "", Map.of()), new ByteArrayInputStream(base.gzip()), GZIP);
        snapshotter.commit("layer-1", "extract-1", Map.of());
        List<Mount> view = snapshotter.view("v", "layer-1", Map.of());
        assertThatThrownBy(() -> applier.apply(view, new ByteArrayInputStream(base.gzip()), GZIP))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("read-only");
    }

    private Path mount(List<Mount> mounts, String name) throws IOException {
        Path target = Files.createDirectories(tmp.resolve("mnt").resolve(name));
        mounter.mountAll(mounts, target);
        mounted.add(target);
        return target;
    }
}
