package io.jcontainerd.supervisor.pull;

import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.ReferenceContainerd;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4's proof: for every image in the test registry, the root filesystem our daemon unpacks
 * (server-side pull) and the one containerd 1.6 unpacks, both mounted through overlayfs, have the
 * same paths, types, modes, owners, sizes and link targets.
 */
class UnpackedTreeMatchesContainerdIT {
    static Path dir;
    static DaemonProcess daemon;
    static ReferenceContainerd containerd;
    static TestRegistry registry;

    static List<String> images() {
        return TestRegistry.shared().images().names();
    }

    @BeforeAll
    static void start() throws IOException {
        registry = TestRegistry.shared();
        dir = Files.createTempDirectory("tree-compare");
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"),
                "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n");
        daemon = DaemonProcess.start(dir, "--config", config.toString());
        containerd = ReferenceContainerd.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (containerd != null) {
            containerd.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        Cli.run(List.of("rm", "-rf", dir.toString()));
    }

    @ParameterizedTest
    @MethodSource("images")
    void unpacksTheSameTreeAsContainerd(String image) throws Exception {
        String ref = TestRegistry.dockerHubReference(image);
        try (UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
            Iterator<PullEvent> events = PullGrpc.newBlockingStub(ch.namespaced("default"))
                    .pull(PullRequest.newBuilder().setReference(ref).setUnpack(true).build());
            PullEvent last = null;
            while (events.hasNext()) {
                last = events.next();
            }
            assertThat(last.getDone().getUnpacked()).isTrue();
        }
        containerd.pull(registry, image);

        Path ours = Files.createDirectories(dir.resolve("mnt-" + image.replace(':', '-')));
        Cli.Result mount = Cli.run(List.of("/usr/bin/ctr", "-a", daemon.socket().toString(), "images", "mount", ref, ours.toString()));
        assertThat(mount.exit()).as(mount.toString()).isZero();
        try (ReferenceContainerd.Mounted theirs = containerd.mount(image)) {
            Map<String, String> expected = tree(theirs.root());
            Map<String, String> actual = tree(ours);
            assertThat(actual).as("unpacked tree of " + image).hasSize(expected.size()).isEqualTo(expected);
        } finally {
            Cli.run(List.of("/usr/bin/ctr", "-a", daemon.socket().toString(), "images", "unmount", "--rm", ours.toString()));
        }
    }

    /** path → "type mode uid:gid size target" for every entry below root (the root itself excluded). */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(root)) {
                    out.put(root.relativize(d).toString(), describe(d));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                out.put(root.relativize(f).toString(), describe(f));
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String type = switch (mode & 0170000) {
            case 0040000 -> "dir";
            case 0100000 -> "file";
            case 0120000 -> "symlink";
            case 0020000 -> "char";
            case 0060000 -> "block";
            case 0010000 -> "fifo";
            default -> "other";
        };
        List<String> parts = new ArrayList<>(List.of(type, Integer.toOctalString(mode & 07777), a.get("uid") + ":" + a.get("gid")));
        if (type.equals("file")) {
            parts.add(String.valueOf(a.get("size")));
        }
        if (type.equals("symlink")) {
            parts.add("-> " + Files.readSymbolicLink(p));
        }
        return String.join(" ", parts);
    }
}
