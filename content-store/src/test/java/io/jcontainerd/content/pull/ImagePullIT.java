package io.jcontainerd.content.pull;

import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.content.store.TempDirs;
import io.jcontainerd.testsupport.FixtureBlob;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.FixtureIndex;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pulls the fixture images from a real registry (Debian's docker-registry) and checks every digest. */
class ImagePullIT {

    private final TestRegistry registry = TestRegistry.shared();
    private Path root;
    private ContentStore store;
    private ImagePuller puller;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("jcd-pull-it-");
        store = LocalContentStore.open(root);
        puller = new ImagePuller(RegistryClient.builder().build(), store);
    }

    @AfterEach
    void tearDown() throws Exception {
        TempDirs.deleteRecursively(root);
    }

    private void assertPulled(PulledImage pulled, FixtureImage expected) throws Exception {
        assertThat(pulled.manifestDesc().digest().toString()).isEqualTo(expected.manifest().digest());
        assertThat(pulled.config().digest().toString()).isEqualTo(expected.config().digest());
        assertThat(pulled.manifest().layers()).extracting(d -> d.digest().toString())
                .containsExactlyElementsOf(expected.layers().stream().map(FixtureBlob::digest).toList());
        for (FixtureBlob b : FixtureBlobs.all(expected)) {
            Digest d = Digest.parse(b.digest());
            assertThat(store.info(d).size()).as("size of %s in the store", d).isEqualTo(b.size());
            assertThat(Files.mismatch(((LocalContentStore) store).blobPath(d), registry.images().blobPath(b.digest())))
                    .as("bytes of %s", d).isEqualTo(-1L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"busybox:latest", "busybox:oci", "whiteouts:latest", "zstd:latest",
            "uncompressed:latest", "edgecases:latest"})
    void pullsASinglePlatformImageWithExactDigests(String name) throws Exception {
        PullResult r = puller.pull(registry.reference(name), PullOptions.defaults());
        FixtureImage expected = registry.images().image(name);
        assertThat(r.root().digest().toString()).isEqualTo(expected.manifest().digest());
        assertThat(r.root().mediaType()).isEqualTo(expected.manifest().mediaType());
        assertThat(r.images()).singleElement().satisfies(p -> assertPulled(p, expected));
        assertThat(store.listStatuses()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"multiarch:latest", "multiarch:docker"})
    void pullsOnlyTheHostPlatformOfAnIndex(String name) throws Exception {
        PullResult r = puller.pull(registry.reference(name), PullOptions.defaults());
        FixtureIndex expected = registry.images().index(name);
        assertThat(r.root().digest().toString()).isEqualTo(expected.index().digest());
        assertThat(r.images()).singleElement().satisfies(p -> assertPulled(p, expected.forPlatform("linux/amd64")));
        FixtureImage other = expected.manifests().stream().filter(m -> !m.platform().equals("linux/amd64")).findFirst().orElseThrow();
        assertThatThrownBy(() -> store.info(Digest.parse(other.manifest().digest()))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void pullsAllPlatformsOfAnIndex() throws Exception {
        PullResult r = puller.pull(registry.reference("multiarch:latest"), PullOptions.defaults().withPlatforms(PlatformSelection.all()));
        FixtureIndex expected = registry.images().index("multiarch:latest");
        assertThat(r.images()).hasSize(expected.manifests().size());
        for (FixtureImage m : expected.manifests()) {
            PulledImage p = r.images().stream()
                    .filter(i -> i.manifestDesc().digest().toString().equals(m.manifest().digest())).findFirst().orElseThrow();
            assertPulled(p, m);
        }
        PullResult arm = new ImagePuller(RegistryClient.builder().build(), store).pull(registry.reference("multiarch:latest"),
                PullOptions.defaults().withPlatforms(PlatformSelection.only(Platform.parse("linux/arm64"))));
        assertThat(arm.bytesDownloaded()).isZero();
        assertThat(arm.images().getFirst().manifestDesc().digest().toString())
                .isEqualTo(expected.forPlatform("linux/arm64/v8").manifest().digest());
    }

    @Test
    void pullsDockerHubNamesThroughTheHostsTomlMirror() throws Exception {
        ImagePuller viaMirror = new ImagePuller(RegistryClient.builder().hostsDir(registry.hostsDir()).build(), store);
        PullResult r = viaMirror.pull("busybox", PullOptions.defaults());
        assertThat(r.reference().toString()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(r.root().digest().toString()).isEqualTo(registry.images().descriptor("busybox:latest").digest());
        assertThat(r.labels().get(r.root().digest()))
                .containsEntry("containerd.io/distribution.source.docker.io", "library/busybox");
    }

    @Test
    void aSecondPullOfACompleteImageDownloadsNothing() {
        PullResult first = puller.pull(registry.reference("busybox:latest"), PullOptions.defaults());
        PullResult again = puller.pull(registry.reference("busybox:latest"), PullOptions.defaults());
        assertThat(first.bytesDownloaded()).isPositive();
        assertThat(again.bytesDownloaded()).isZero();
        assertThat(again.blobsExisting()).isEqualTo(first.blobsFetched());
        assertThat(again.root()).isEqualTo(first.root());
    }

    @Test
    void anUnknownTagIsNotFoundNamingTheReferenceAndRegistry() {
        assertThatThrownBy(() -> puller.pull(registry.reference("busybox:no-such-tag"), PullOptions.defaults()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(registry.host() + "/library/busybox:no-such-tag")
                .hasMessageContaining("registry " + registry.host());
    }

    @Test
    void anUnknownRepositoryIsNotFound() {
        assertThatThrownBy(() -> puller.pull(registry.host() + "/nobody/nothing:1", PullOptions.defaults()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("nobody/nothing");
    }

    @Test
    void layerCallbacksArriveForEveryLayerOfTheLargeImage() {
        java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        PullResult r = puller.pull(registry.reference("large:latest"), PullOptions.defaults()
                .withLayerListener((m, i, layer) -> {
                    assertThat(store.info(layer.digest()).size()).isEqualTo(layer.size());
                    seen.add(i);
                }));
        FixtureImage expected = registry.images().image("large:latest");
        assertThat(seen).hasSize(expected.layers().size());
        assertThat(r.images().getFirst().manifest().layers()).extracting(Descriptor::size)
                .containsExactlyElementsOf(expected.layers().stream().map(FixtureBlob::size).toList());
    }
}
