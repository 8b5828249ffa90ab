package io.jcontainerd.testsupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * containerd, the reference, pulls every fixture image through the hosts dir with the fixture's
 * digests and unpacks the whiteout and edge-case layers as the OCI spec says: the images are
 * well-formed, so our own pull and unpack can be compared with containerd's.
 */
class ReferenceContainerdIT {

    private static TestRegistry registry;
    private static ReferenceContainerd containerd;

    @BeforeAll
    static void start() {
        registry = TestRegistry.shared();
        containerd = ReferenceContainerd.start();
    }

    @AfterAll
    static void stop() {
        if (containerd != null) {
            containerd.close();
        }
    }

    @Test
    void containerdPullsEveryFixtureImageWithTheFixtureDigest() {
        FixtureImages images = registry.images();
        for (String name : images.names()) {
            containerd.pull(registry, name);

            assertThat(containerd.imageDigest(name)).as("digest of %s", name).isEqualTo(images.descriptor(name).digest());
        }
    }

    @Test
    void whiteoutsDeleteAndHideWhatLowerLayersHold() throws Exception {
        containerd.pull(registry, "whiteouts:latest");
        try (ReferenceContainerd.Mounted m = containerd.mount("whiteouts:latest")) {
            Path root = m.root();

            assertThat(root.resolve("data/keep.txt")).hasContent("this file stays");
            assertThat(root.resolve("data/remove-me.txt")).doesNotExist();
            assertThat(root.resolve("data/dir-to-remove")).doesNotExist();
            assertThat(root.resolve("bin/vi")).doesNotExist();
            assertThat(root.resolve("bin/sh")).isSymbolicLink();
            try (Stream<Path> opaque = Files.list(root.resolve("data/opaque"))) {
                assertThat(opaque.map(p -> p.getFileName().toString())).containsExactly("new.txt");
            }
            assertThat(root.resolve("data/dir-becomes-file")).isRegularFile().hasContent("now a file");
            assertThat(root.resolve("data/file-becomes-dir/inside.txt")).hasContent("inside what was a file");
        }
    }

    @Test
    void edgecasesUnpackWithTheirKindsModesOwnersLinksAndXattrs() throws Exception {
        containerd.pull(registry, "edgecases:latest");
        try (ReferenceContainerd.Mounted m = containerd.mount("edgecases:latest")) {
            Path edge = m.root().resolve("edge");

            assertThat(Files.getAttribute(edge.resolve("hardlink-1"), "unix:ino"))
                    .isEqualTo(Files.getAttribute(edge.resolve("owned/hardlink-2"), "unix:ino"));
            assertThat(Files.getAttribute(edge.resolve("hardlink-target"), "unix:nlink")).isEqualTo(3);
            assertThat(mode(edge.resolve("fifo")) & 0170000).isEqualTo(0010000);
            assertThat(mode(edge.resolve("null-device")) & 0170000).isEqualTo(0020000);
            assertThat(Files.getAttribute(edge.resolve("null-device"), "unix:rdev")).isEqualTo(0x103L);
            assertThat(mode(edge.resolve("setuid-busybox")) & 07777).isEqualTo(04755);
            assertThat(mode(edge.resolve("setgid-dir")) & 07777).isEqualTo(02775);
            assertThat(Files.getAttribute(edge.resolve("owned/user-file"), "unix:uid")).isEqualTo(1000);
            assertThat(Files.getAttribute(edge.resolve("empty-dir"), "unix:gid")).isEqualTo(65534);
            assertThat(userXattr(edge.resolve("xattr-file"), "jcontainerd.test")).isEqualTo("hello");
            assertThat(Files.readSymbolicLink(edge.resolve("absolute-symlink"))).hasToString("/bin/busybox");
            assertThat(edge.resolve("ünïcødé-名前.txt")).hasContent("utf-8");
        }
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static String userXattr(Path p, String name) throws Exception {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(view.size(name));
        view.read(name, buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
}
