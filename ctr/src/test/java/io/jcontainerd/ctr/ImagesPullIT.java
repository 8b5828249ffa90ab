package io.jcontainerd.ctr;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.FixtureIndex;
import io.jcontainerd.testsupport.RepoRoot;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jctr images pull} against a real daemon whose certs.d maps docker.io to the test registry:
 * the daemon downloads and unpacks, jctr shows progress and the digest. Each test works in its own
 * namespace, so what one pulls is absent for the others.
 */
class ImagesPullIT {
    static Path dir;
    static DaemonProcess daemon;
    static TestRegistry registry;

    @BeforeAll
    static void startDaemon() throws IOException {
        registry = TestRegistry.shared();
        dir = Files.createTempDirectory("jctr-pull-it");
        Path config = dir.resolve("jcontainerd.toml");
        Files.writeString(config, "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n");
        daemon = DaemonProcess.start(dir, "--config", config.toString());
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        // the overlay snapshots hold root-owned files and whiteout devices; nothing is mounted any more
        Cli.run(List.of("rm", "-rf", dir.toString()));
    }

    static Cli.Result jctr(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(),
                "--address", daemon.socket().toString(), "-n", ns));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, java.util.Map.of(), 180);
    }

    static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r + "\ndaemon log:\n" + daemon.log()).isZero();
        return r;
    }

    @Test
    void pullsBusyboxOnTheDaemonShowingEachBlobAndUnpacksItsLayer() {
        FixtureImage busybox = registry.images().image("busybox:latest");
        String digest = busybox.manifest().digest();
        String ref = TestRegistry.dockerHubReference("busybox:latest");

        Cli.Result pull = ok(jctr("busybox", "images", "pull", ref));
        assertThat(pull.out()).containsPattern("(?m)^manifest-" + Pattern.quote(digest) + ": +done +\\|\\++\\|$")
                .containsPattern("(?m)^config-" + Pattern.quote(busybox.config().digest()) + ": +done ")
                .containsPattern("(?m)^layer-" + Pattern.quote(busybox.layers().getFirst().digest()) + ": +done ")
                .containsPattern("(?m)^elapsed: [0-9.]+ s  total: 1\\.0 MiB \\(.+/s\\)$")
                .contains("unpacking linux/amd64 " + digest + "...")
                .containsPattern("(?m)^done: [0-9.]+(ms|s)$")
                .endsWith(ref + " " + digest + "\n");

        String chain = busybox.diffIds().getFirst(); // one layer: its chain ID is its diff_id
        assertThat(ok(jctr("busybox", "snapshots", "ls")).out()).containsPattern("(?m)^" + Pattern.quote(chain) + " +Committed");
        assertThat(ok(jctr("busybox", "images", "ls")).out()).containsPattern("(?m)^" + Pattern.quote(ref)
                + " +application/vnd.docker.distribution.manifest.v2\\+json +" + digest + " +1\\.0 MiB +linux/amd64 +- *$");
        assertThat(ok(jctr("busybox", "images", "check")).out())
                .containsPattern("(?m)^" + Pattern.quote(ref) + " .* complete \\(3/3\\) +1\\.0 MiB/1\\.0 MiB +true *$");
        String content = ok(jctr("busybox", "content", "ls")).out();
        assertThat(content).containsPattern("(?m)^" + Pattern.quote(busybox.layers().getFirst().digest())
                + " .*containerd.io/uncompressed=" + Pattern.quote(chain));
        assertThat(content).containsPattern("(?m)^" + Pattern.quote(busybox.config().digest())
                + " .*containerd.io/gc.ref.snapshot.overlayfs=" + Pattern.quote(chain));

        Cli.Result again = ok(jctr("busybox", "images", "pull", "--print-chainid", ref));
        assertThat(again.out()).contains("image chain ID: " + chain + "\n");
        assertThat(again.out()).as("everything was present").contains("total: 0 B (0 B/s)")
                .containsPattern("(?m)^layer-" + Pattern.quote(busybox.layers().getFirst().digest()) + ": +exists ")
                .doesNotContain("downloading");
    }

    @ParameterizedTest
    @ValueSource(strings = {"busybox:oci", "zstd:latest", "uncompressed:latest", "large:latest"})
    void pullsAndUnpacksEveryLayerFormatToTheFixturesChain(String name) {
        FixtureImage image = registry.images().image(name);
        String ns = "fmt-" + name.replace(':', '-');
        String ref = TestRegistry.dockerHubReference(name);
        Cli.Result pull = ok(jctr(ns, "images", "pull", ref));
        assertThat(pull.out()).endsWith(ref + " " + image.manifest().digest() + "\n");
        List<String> chains = chainIds(image.diffIds());
        String snapshots = ok(jctr(ns, "snapshots", "ls")).out();
        for (int i = 0; i < chains.size(); i++) {
            String parent = i == 0 ? "" : Pattern.quote(chains.get(i - 1));
            assertThat(snapshots).containsPattern("(?m)^" + Pattern.quote(chains.get(i)) + " +" + parent + " *Committed");
        }
    }

    @Test
    void pullsOnlyTheHostPlatformOfAMultiArchIndexAndListsAllItsPlatforms() {
        for (String name : List.of("multiarch:latest", "multiarch:docker")) {
            FixtureIndex index = registry.images().index(name);
            FixtureImage amd64 = index.forPlatform("linux/amd64");
            String ref = TestRegistry.dockerHubReference(name);
            Cli.Result pull = ok(jctr("multiarch", "images", "pull", ref));
            assertThat(pull.out()).contains("unpacking linux/amd64 " + index.index().digest() + "...")
                    .doesNotContain("unpacking linux/arm64")
                    .doesNotContain(index.forPlatform("linux/arm64/v8").manifest().digest())
                    .endsWith(ref + " " + index.index().digest() + "\n");
            assertThat(ok(jctr("multiarch", "images", "ls")).out())
                    .containsPattern("(?m)^" + Pattern.quote(ref) + " .* " + index.index().digest() + " .* linux/amd64,linux/arm64/v8 ");
            assertThat(ok(jctr("multiarch", "snapshots", "ls")).out()).contains(amd64.diffIds().getFirst());
        }
    }

    @Test
    void platformPullsAndUnpacksTheNamedPlatformOnly() {
        FixtureIndex index = registry.images().index("multiarch:latest");
        FixtureImage arm64 = index.forPlatform("linux/arm64/v8");
        Cli.Result pull = ok(jctr("platform", "images", "pull", "--platform", "linux/arm64",
                TestRegistry.dockerHubReference("multiarch:latest")));
        assertThat(pull.out()).contains("unpacking linux/arm64/v8 ").doesNotContain("unpacking linux/amd64")
                .contains("manifest-" + arm64.manifest().digest() + ":")
                .doesNotContain(index.forPlatform("linux/amd64").manifest().digest());
        assertThat(ok(jctr("platform", "snapshots", "ls")).out()).contains(arm64.diffIds().getFirst());
    }

    @Test
    void allPlatformsUnpacksEachPlatform() {
        FixtureIndex index = registry.images().index("multiarch:latest");
        Cli.Result pull = ok(jctr("allplatforms", "images", "pull", "--all-platforms",
                TestRegistry.dockerHubReference("multiarch:latest")));
        assertThat(pull.out()).contains("unpacking linux/amd64 ", "unpacking linux/arm64/v8 ");
        String snapshots = ok(jctr("allplatforms", "snapshots", "ls")).out();
        index.manifests().forEach(m -> assertThat(snapshots).contains(m.diffIds().getFirst()));
    }

    @Test
    void theMountedRootfsOfTheWhiteoutsImageHasEveryDeletionApplied() throws IOException {
        FixtureImage image = registry.images().image("whiteouts:latest");
        ok(jctr("whiteouts", "images", "pull", TestRegistry.dockerHubReference("whiteouts:latest")));
        String top = chainIds(image.diffIds()).getLast();
        Path target = Files.createDirectories(dir.resolve("mnt-whiteouts"));
        String mount = ok(jctr("whiteouts", "snapshots", "view", "--target", target.toString(), "check-view", top)).out().strip();
        assertThat(mount).startsWith("mount -t overlay ");
        Cli.Result mounted = Cli.run(List.of("sh", "-c", mount));
        assertThat(mounted.exit()).as(mounted.toString()).isZero();
        try {
            assertThat(target.resolve("bin/sh")).exists();
            assertThat(target.resolve("bin/vi")).as("deleted by .wh.vi").doesNotExist();
            assertThat(target.resolve("data/keep.txt")).hasContent("this file stays");
            assertThat(target.resolve("data/remove-me.txt")).doesNotExist();
            assertThat(target.resolve("data/dir-to-remove")).doesNotExist();
            assertThat(target.resolve("data/dir-becomes-file")).isRegularFile().hasContent("now a file");
            assertThat(target.resolve("data/file-becomes-dir")).isDirectory();
            assertThat(target.resolve("data/file-becomes-dir/inside.txt")).hasContent("inside what was a file");
            try (var opaque = Files.list(target.resolve("data/opaque"))) {
                assertThat(opaque.map(p -> p.getFileName().toString()).toList()).doesNotContain("old-1.txt", "old-2.txt");
            }
        } finally {
            Cli.Result umount = Cli.run(List.of("umount", target.toString()));
            assertThat(umount.exit()).as(umount.toString()).isZero();
            ok(jctr("whiteouts", "snapshots", "rm", "check-view"));
        }
    }

    @Test
    void noUnpackOnlyDownloads() {
        String ref = TestRegistry.dockerHubReference("busybox:latest");
        Cli.Result pull = ok(jctr("nounpack", "images", "pull", "--no-unpack", ref));
        assertThat(pull.out()).doesNotContain("unpacking");
        assertThat(ok(jctr("nounpack", "snapshots", "ls")).out().lines()).hasSize(1);
        assertThat(ok(jctr("nounpack", "images", "check")).out()).containsPattern("complete \\(3/3\\) .* false *\n");
    }

    @Test
    void anUnknownTagFailsNamingTheReferenceAndRegistry() {
        // addressed to the registry itself: through the docker.io mirror the upstream fallback (unreachable offline) would answer last
        Cli.Result r = jctr("unknown", "images", "pull", registry.reference("busybox:no-such-tag"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(registry.reference("busybox:no-such-tag"), "not found", registry.host());
        assertThat(ok(jctr("unknown", "images", "ls", "-q")).out()).isBlank();
    }

    @Test
    void aMalformedReferenceIsRefusedQuotingIt() {
        Cli.Result r = jctr("malformed", "images", "pull", "Bad Ref::");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("invalid image reference \"Bad Ref::\"");
    }

    @Test
    void contentGetWritesTheBlobAndImagesLabelSetsAndClears() throws IOException {
        FixtureImage busybox = registry.images().image("busybox:latest");
        String ref = TestRegistry.dockerHubReference("busybox:latest");
        ok(jctr("getlabel", "images", "pull", "--no-unpack", ref));
        String manifest = ok(jctr("getlabel", "content", "get", busybox.manifest().digest())).out();
        assertThat(manifest).isEqualTo(new String(registry.images().blob(busybox.manifest().digest()), StandardCharsets.UTF_8));

        assertThat(ok(jctr("getlabel", "images", "label", ref, "team=infra", "tier=1")).out().strip()).isEqualTo("team=infra,tier=1");
        assertThat(ok(jctr("getlabel", "images", "label", ref, "tier=")).out().strip()).isEqualTo("team=infra");
        assertThat(ok(jctr("getlabel", "images", "ls")).out()).containsPattern(" team=infra *\n");
    }

    @Test
    void imagesRmSyncRemovesTheImagesBlobsAndSnapshots() {
        FixtureImage busybox = registry.images().image("busybox:latest");
        String ref = TestRegistry.dockerHubReference("busybox:latest");
        ok(jctr("rmsync", "images", "pull", ref));
        assertThat(ok(jctr("rmsync", "content", "ls", "-q")).out().lines()).hasSize(3);

        assertThat(ok(jctr("rmsync", "images", "rm", "--sync", ref)).out().strip()).isEqualTo(ref);
        assertThat(ok(jctr("rmsync", "images", "ls", "-q")).out()).isBlank();
        assertThat(ok(jctr("rmsync", "content", "ls", "-q")).out()).isBlank();
        assertThat(ok(jctr("rmsync", "snapshots", "ls")).out()).doesNotContain(busybox.diffIds().getFirst());
    }

    @Test
    void contentRmRemovesABlobFromTheNamespace() {
        FixtureImage busybox = registry.images().image("busybox:latest");
        ok(jctr("contentrm", "images", "pull", "--no-unpack", TestRegistry.dockerHubReference("busybox:latest")));
        String config = busybox.config().digest();
        assertThat(ok(jctr("contentrm", "content", "rm", config)).out().strip()).isEqualTo(config);
        assertThat(ok(jctr("contentrm", "content", "ls", "-q")).out()).doesNotContain(config);
        assertThat(ok(jctr("contentrm", "images", "check")).out()).contains("incomplete (2/3)");
    }

    @Test
    void containerdsCtrPullsClientSideIntoUsAndUnpacksTheSameChain() {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        FixtureImage busybox = registry.images().image("busybox:latest");
        String ref = TestRegistry.dockerHubReference("busybox:latest");
        Cli.Result ctr = Cli.run(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "-n", "ctrpull",
                "images", "pull", "--hosts-dir", registry.hostsDir().toString(), ref), java.util.Map.of(), 120);
        assertThat(ctr.exit()).as(ctr + "\ndaemon log:\n" + daemon.log()).isZero();
        assertThat(ctr.out()).contains("unpacking linux/amd64 " + busybox.manifest().digest());
        assertThat(ok(jctr("ctrpull", "snapshots", "ls")).out()).contains(busybox.diffIds().getFirst());
        assertThat(ok(jctr("ctrpull", "images", "check")).out()).contains("complete (3/3)");

        Cli.Result ours = ok(jctr("ctrpull", "images", "pull", ref));
        assertThat(ours.out()).as("jctr finds what ctr pulled").contains("total: 0 B");
    }

    /** chain(0) = diff_id(0), chain(i) = sha256(chain(i-1) + " " + diff_id(i)). */
    static List<String> chainIds(List<String> diffIds) {
        List<String> out = new ArrayList<>();
        for (String d : diffIds) {
            out.add(out.isEmpty() ? d : "sha256:" + sha256(out.getLast() + " " + d));
        }
        return out;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
