package io.jcontainerd.supervisor.services;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * containerd's own client pulls into us: ctr 1.6 fetches client-side through our Content.Write,
 * Leases and Images services, then lists, and `images rm --sync` lets our collector remove the blobs.
 */
class CtrContentFetchIT {
    private static final String REF = TestRegistry.dockerHubReference("busybox:latest");

    @TempDir
    Path dir;

    @Test
    void ctrContentFetchStoresTheImageAndImagesRmSyncCollectsItsBlobs() throws Exception {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        TestRegistry registry = TestRegistry.shared();
        FixtureImage busybox = registry.images().image("busybox:latest");
        String manifest = registry.images().descriptor("busybox:latest").digest();
        try (DaemonProcess d = DaemonProcess.start(dir)) {
            Cli.Result fetch = ctr(d, "content", "fetch", "--hosts-dir", registry.hostsDir().toString(), REF);
            assertThat(fetch.exit()).as(fetch + "\ndaemon log:\n" + d.log()).isZero();

            Cli.Result images = ctr(d, "images", "ls");
            assertThat(images.out()).as(images.toString()).containsPattern("(?m)^" + java.util.regex.Pattern.quote(REF)
                    + " +\\S+ +" + manifest + " ");
            Cli.Result content = ctr(d, "content", "ls", "-q");
            List<String> blobs = allDigests(busybox, manifest);
            assertThat(content.out().lines()).containsAll(blobs);
            blobs.forEach(b -> assertThat(blobFile(d, b)).exists());

            Cli.Result again = ctr(d, "content", "fetch", "--hosts-dir", registry.hostsDir().toString(), REF);
            assertThat(again.exit()).as("a second fetch finds everything present\n" + again).isZero();
            assertThat(ctr(d, "-n", "other", "content", "ls", "-q").out()).as("another namespace sees none of it").isBlank();

            Cli.Result rm = ctr(d, "images", "rm", "--sync", REF);
            assertThat(rm.exit()).as(rm.toString()).isZero();
            assertThat(ctr(d, "images", "ls", "-q").out()).doesNotContain(REF);
            assertThat(ctr(d, "content", "ls", "-q").out()).isBlank();
            blobs.forEach(b -> assertThat(blobFile(d, b)).doesNotExist());
            try (Stream<Path> left = Files.list(d.root().resolve("content/blobs/sha256"))) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void ctrTagsAndLabelsImagesAndContentAndManagesLeases() {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        TestRegistry registry = TestRegistry.shared();
        String manifest = registry.images().descriptor("busybox:latest").digest();
        try (DaemonProcess d = DaemonProcess.start(dir)) {
            ok(d, "content", "fetch", "--hosts-dir", registry.hostsDir().toString(), REF);

            ok(d, "images", "tag", REF, "example.test/mine:1");
            ok(d, "images", "label", "example.test/mine:1", "team=blue");
            Cli.Result filtered = ok(d, "images", "ls", "labels.team==blue");
            assertThat(filtered.out()).contains("example.test/mine:1").doesNotContain(REF);
            assertThat(ok(d, "images", "ls", "-q", "target.digest==" + manifest).out().lines())
                    .containsExactlyInAnyOrder(REF, "example.test/mine:1");
            Cli.Result dup = ctr(d, "images", "tag", REF, "example.test/mine:1");
            assertThat(dup.exit()).as(dup.toString()).isNotZero();
            assertThat(dup.err()).contains("already exists");

            ok(d, "content", "label", manifest, "note=kept");
            assertThat(ok(d, "content", "ls").out()).containsPattern(manifest + ".*note=kept");

            ok(d, "leases", "create", "--id", "hold-1", "--expires", "0", "purpose=test");
            assertThat(ok(d, "leases", "ls").out()).containsPattern("(?m)^hold-1 .*purpose=test");
            assertThat(ok(d, "leases", "ls", "-q", "id==hold-1").out().lines()).containsExactly("hold-1");
            ok(d, "leases", "rm", "hold-1");
            assertThat(ok(d, "leases", "ls", "-q").out().lines()).doesNotContain("hold-1");

            ok(d, "images", "rm", "--sync", REF);
            assertThat(blobFile(d, manifest)).as("the tag still refers to it").exists();
            ok(d, "images", "rm", "--sync", "example.test/mine:1");
            assertThat(blobFile(d, manifest)).doesNotExist();
        }
    }

    private static Cli.Result ok(DaemonProcess d, String... args) {
        Cli.Result r = ctr(d, args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r + "\ndaemon log:\n" + d.log()).isZero();
        return r;
    }

    private static List<String> allDigests(FixtureImage image, String manifest) {
        List<String> all = new ArrayList<>(List.of(manifest, image.config().digest()));
        image.layers().forEach(l -> all.add(l.digest()));
        return all;
    }

    private static Path blobFile(DaemonProcess d, String digest) {
        return d.root().resolve("content/blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static Cli.Result ctr(DaemonProcess d, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", d.socket().toString()));
        cmd.addAll(List.of(args));
        return Cli.run(cmd);
    }
}
