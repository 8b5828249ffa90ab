package io.jcontainerd.snapshot.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image built by umoci (Go's archive/tar and gzip, OCI whiteouts as umoci writes them) is
 * unpacked layer by layer, the way a pull does, and must give exactly umoci's root filesystem,
 * with diff IDs equal to those in the image config.
 */
class UmociImageIT {
    private static final byte[] CAP_NET_BIND = HexFormat.of().parseHex("0100000200040000000000000000000000000000");

    private final Syscalls sys = Syscalls.linux();
    private final Mounter mounter = Mounter.linux();
    private final List<Path> mounted = new ArrayList<>();
    private Path tmp;
    private Path rootfs;
    private Snapshotter snapshotter;

    @BeforeEach
    void buildImage() throws Exception {
        assertThat(sys.effectiveUid()).as("umoci and mounts need root").isZero();
        tmp = Files.createTempDirectory("umoci-");
        umoci("init", "--layout", "img");
        umoci("new", "--image", "img:t");
        umoci("unpack", "--image", "img:t", "bundle");
        rootfs = tmp.resolve("bundle/rootfs");

        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost");
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0");
        Files.createDirectories(rootfs.resolve("d/sub"));
        Files.writeString(rootfs.resolve("d/x"), "x");
        Files.writeString(rootfs.resolve("d/sub/y"), "y");
        Files.createDirectories(rootfs.resolve("usr/bin"));
        Files.writeString(rootfs.resolve("usr/bin/busybox"), "elf");
        sys.chmod(rootfs.resolve("usr/bin/busybox").toString(), 04755);
        Files.createLink(rootfs.resolve("usr/bin/sh"), rootfs.resolve("usr/bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("usr/bin/ls"), Path.of("busybox"));
        Files.writeString(rootfs.resolve("usr/bin/server"), "elf2");
        sys.lsetxattr(rootfs.resolve("usr/bin/server").toString(), "security.capability", CAP_NET_BIND);
        Files.writeString(rootfs.resolve("owned"), "o");
        sys.lchown(rootfs.resolve("owned").toString(), 1000, 1000);
        sys.mknod(rootfs.resolve("fifo").toString(), Syscalls.S_IFIFO | 0600, 0);
        Files.createDirectories(rootfs.resolve("tmp"));
        sys.chmod(rootfs.resolve("tmp").toString(), 01777);
        Files.writeString(rootfs.resolve("becomes-dir"), "file");
        umoci("repack", "--refresh-bundle", "--image", "img:t", "bundle");

        Files.delete(rootfs.resolve("etc/hosts"));
        FileTrees.deleteRecursively(rootfs.resolve("d"));
        Files.createDirectories(rootfs.resolve("d"));
        Files.writeString(rootfs.resolve("d/z"), "z");
        Files.delete(rootfs.resolve("becomes-dir"));
        Files.createDirectories(rootfs.resolve("becomes-dir/inside"));
        Path deep = Files.createDirectories(rootfs.resolve("p".repeat(80) + "/" + "q".repeat(80)));
        Files.writeString(deep.resolve("r".repeat(90)), "deep");
        umoci("repack", "--refresh-bundle", "--image", "img:t", "bundle");

        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0\nuser:x:1000:1000");
        FileTrees.deleteRecursively(rootfs.resolve("usr/bin/ls"));
        umoci("repack", "--refresh-bundle", "--image", "img:t", "bundle");
    }

    @AfterEach
    void tearDown() throws IOException {
        mounted.reversed().forEach(mounter::unmountAll);
        if (snapshotter != null) {
            snapshotter.close();
        }
        FileTrees.deleteRecursively(tmp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void unpacksToTheRootFilesystemUmociPacked(String driver) throws Exception {
        snapshotter = driver.equals("overlayfs") ? new OverlaySnapshotter(tmp.resolve("root")) : new NativeSnapshotter(tmp.resolve("root"));
        MountApplier applier = new MountApplier(new LayerApplier(), mounter, tmp.resolve("scratch"));
        ObjectMapper json = new ObjectMapper();
        Path blobs = tmp.resolve("img/blobs/sha256");
        JsonNode index = json.readTree(tmp.resolve("img/index.json").toFile());
        JsonNode manifest = json.readTree(blobs.resolve(hex(index.get("manifests").get(0).get("digest").asText())).toFile());
        JsonNode config = json.readTree(blobs.resolve(hex(manifest.get("config").get("digest").asText())).toFile());
        JsonNode layers = manifest.get("layers");
        assertThat(layers.size()).isEqualTo(3);

        String parent = "";
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            List<Mount> mounts = snapshotter.prepare("extract " + i, parent, Map.of());
            Applied applied;
            try (InputStream in = Files.newInputStream(blobs.resolve(hex(layer.get("digest").asText())))) {
                applied = applier.apply(mounts, in, layer.get("mediaType").asText());
            }
            assertThat(applied.digest()).as("diff ID of layer " + i).isEqualTo(config.get("rootfs").get("diff_ids").get(i).asText());
            snapshotter.commit("layer " + i, "extract " + i, Map.of());
            parent = "layer " + i;
        }

        Path view = Files.createDirectories(tmp.resolve("mnt"));
        mounter.mountAll(snapshotter.view("check", parent, Map.of()), view);
        mounted.add(view);
        assertThat(FileTreeView.of(view)).isEqualTo(FileTreeView.of(rootfs));
        assertThat(Files.isSameFile(view.resolve("usr/bin/sh"), view.resolve("usr/bin/busybox"))).isTrue();
        assertThat(sys.lgetxattr(view.resolve("usr/bin/server").toString(), "security.capability")).isEqualTo(CAP_NET_BIND);
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private void umoci(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("umoci"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
