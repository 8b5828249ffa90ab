package io.jcontainerd.content.pull;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.Index;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.image.MediaTypes;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.registry.FakeRegistry;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.registry.RetryPolicy;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.ContentWriter;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.content.store.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePullerTest {

    private FakeRegistry registry;
    private Path root;
    private ContentStore store;
    private ImagePuller puller;

    /** One platform image in the fake registry. */
    private record Built(Descriptor manifest, Descriptor config, List<Descriptor> layers, List<byte[]> layerBytes) {
    }

    @BeforeEach
    void setUp() throws Exception {
        registry = new FakeRegistry();
        root = Files.createTempDirectory("jcd-pull-");
        store = LocalContentStore.open(root);
        RegistryClient client = RegistryClient.builder()
                .retry(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)))
                .idleTimeout(Duration.ofSeconds(2))
                .build();
        puller = new ImagePuller(client, store);
    }

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        TempDirs.deleteRecursively(root);
    }

    private Built build(String repo, String tag, String arch, int layers, int layerSize, long seed) {
        Random rnd = new Random(seed);
        List<Descriptor> ls = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byte[] b = new byte[layerSize + i];
            rnd.nextBytes(b);
            bytes.add(b);
            ls.add(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, registry.addBlob(b), b.length));
            diffIds.add("\"" + Digest.of(("diff" + seed + i).getBytes(StandardCharsets.UTF_8)) + "\"");
        }
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Descriptor cfg = new Descriptor(MediaTypes.DOCKER_CONFIG, registry.addBlob(config), config.length);
        Manifest m = new Manifest(2, MediaTypes.DOCKER_MANIFEST, cfg, ls, null);
        byte[] mb = ImageJson.write(m);
        Descriptor md = new Descriptor(MediaTypes.DOCKER_MANIFEST, registry.addManifest(repo, tag, MediaTypes.DOCKER_MANIFEST, mb), mb.length);
        return new Built(md, cfg, ls, bytes);
    }

    private Descriptor index(String repo, String tag, Built... images) {
        List<Descriptor> ms = new ArrayList<>();
        for (Built b : images) {
            String arch = b == images[0] ? "amd64" : "arm64";
            ms.add(new Descriptor(b.manifest.mediaType(), b.manifest.digest(), b.manifest.size(), Map.of(),
                    new Platform("linux", arch, arch.equals("arm64") ? "v8" : ""), List.of()));
        }
        byte[] ib = ImageJson.write(new Index(2, MediaTypes.DOCKER_MANIFEST_LIST, ms, null));
        return new Descriptor(MediaTypes.DOCKER_MANIFEST_LIST, registry.addManifest(repo, tag, MediaTypes.DOCKER_MANIFEST_LIST, ib), ib.length);
    }

    private String ref(String s) {
        return registry.host() + "/" + s;
    }

    private boolean inStore(Descriptor d) {
        try {
            return store.info(d.digest()).size() == d.size();
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    void pullsAManifestImageWithItsConfigAndLayers() {
        Built img = build("lib/app", "v1", "amd64", 3, 100_000, 1);
        PullResult r = puller.pull(ref("lib/app:v1"), PullOptions.defaults());
        assertThat(r.root()).isEqualTo(img.manifest);
        assertThat(r.images()).singleElement().satisfies(i -> {
            assertThat(i.platform().format()).isEqualTo("linux/amd64");
            assertThat(i.manifestDesc()).isEqualTo(img.manifest);
            assertThat(i.config()).isEqualTo(img.config);
            assertThat(i.manifest().layers()).isEqualTo(img.layers);
        });
        assertThat(inStore(img.manifest)).isTrue();
        assertThat(inStore(img.config)).isTrue();
        assertThat(img.layers).allMatch(this::inStore);
        long total = img.manifest.size() + img.config.size() + img.layers.stream().mapToLong(Descriptor::size).sum();
        assertThat(r.bytesDownloaded()).isEqualTo(total);
        assertThat(r.blobsFetched()).isEqualTo(5);
        assertThat(store.listStatuses()).isEmpty();
    }

    @Test
    void labelsContentForGarbageCollectionLikeContainerd() {
        Built amd = build("lib/multi", null, "amd64", 2, 1000, 2);
        Built arm = build("lib/multi", null, "arm64", 1, 1000, 3);
        Descriptor idx = index("lib/multi", "latest", amd, arm);
        PullResult r = puller.pull(ref("lib/multi"), PullOptions.defaults());
        String source = "containerd.io/distribution.source." + registry.host();
        assertThat(r.labels().get(idx.digest()))
                .containsEntry("containerd.io/gc.ref.content.m.0", amd.manifest.digest().toString())
                .containsEntry("containerd.io/gc.ref.content.m.1", arm.manifest.digest().toString())
                .containsEntry(source, "lib/multi");
        assertThat(r.labels().get(amd.manifest.digest()))
                .containsEntry("containerd.io/gc.ref.content.config", amd.config.digest().toString())
                .containsEntry("containerd.io/gc.ref.content.l.0", amd.layers.get(0).digest().toString())
                .containsEntry("containerd.io/gc.ref.content.l.1", amd.layers.get(1).digest().toString())
                .containsEntry(source, "lib/multi");
        assertThat(r.labels().get(amd.layers.get(1).digest())).containsExactly(Map.entry(source, "lib/multi"));
        assertThat(r.labels()).doesNotContainKey(arm.manifest.digest());
    }

    @Test
    void pullsAnIndexAndPicksTheHostPlatform() {
        Built amd = build("lib/multi", null, "amd64", 2, 5000, 4);
        Built arm = build("lib/multi", null, "arm64", 2, 5000, 5);
        Descriptor idx = index("lib/multi", "latest", amd, arm);
        PullResult r = puller.pull(ref("lib/multi:latest"), PullOptions.defaults());
        assertThat(r.root()).isEqualTo(idx);
        assertThat(r.images()).extracting(PulledImage::manifestDesc).extracting(Descriptor::digest)
                .containsExactly(amd.manifest.digest());
        assertThat(r.images().getFirst().platform().format()).isEqualTo("linux/amd64");
        assertThat(amd.layers).allMatch(this::inStore);
        assertThat(arm.layers).noneMatch(this::inStore);
        assertThat(registry.requests).noneMatch(q -> q.contains(arm.layers.getFirst().digest().toString()));
    }

    @Test
    void pullsAllPlatformsOrTheOnesAskedFor() {
        Built amd = build("lib/multi", null, "amd64", 1, 5000, 6);
        Built arm = build("lib/multi", null, "arm64", 1, 5000, 7);
        index("lib/multi", "latest", amd, arm);
        PullResult arm64 = puller.pull(ref("lib/multi"), PullOptions.defaults().withPlatforms(PlatformSelection.only(Platform.parse("linux/arm64"))));
        assertThat(arm64.images()).extracting(i -> i.platform().format()).containsExactly("linux/arm64/v8");
        assertThat(amd.layers).noneMatch(this::inStore);
        PullResult all = puller.pull(ref("lib/multi"), PullOptions.defaults().withPlatforms(PlatformSelection.all()));
        assertThat(all.images()).hasSize(2);
        assertThat(amd.layers).allMatch(this::inStore);
    }

    @Test
    void aPlatformTheIndexLacksIsNotFoundListingWhatItHas() {
        Built amd = build("lib/multi", null, "amd64", 1, 100, 8);
        Built arm = build("lib/multi", null, "arm64", 1, 100, 9);
        index("lib/multi", "latest", amd, arm);
        assertThatThrownBy(() -> puller.pull(ref("lib/multi"),
                PullOptions.defaults().withPlatforms(PlatformSelection.only(Platform.parse("linux/s390x")))))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("linux/s390x")
                .hasMessageContaining("linux/amd64").hasMessageContaining("linux/arm64/v8");
    }

    @Test
    void aCompleteImageReturnsAtOnceWithoutDownloads() {
        Built img = build("lib/app", "v1", "amd64", 3, 50_000, 10);
        puller.pull(ref("lib/app:v1"), PullOptions.defaults());
        registry.requests.clear();
        List<PullProgress> events = new ArrayList<>(new ConcurrentLinkedQueue<>());
        ConcurrentLinkedQueue<PullProgress> q = new ConcurrentLinkedQueue<>();
        PullResult again = puller.pull(ref("lib/app:v1"), PullOptions.defaults().withListener(q::add));
        events.addAll(q);
        assertThat(again.bytesDownloaded()).isZero();
        assertThat(again.blobsFetched()).isZero();
        assertThat(again.blobsExisting()).isEqualTo(5);
        assertThat(registry.requests).containsExactly("HEAD /v2/lib/app/manifests/v1");
        assertThat(events).filteredOn(e -> e.phase() == PullPhase.EXISTS).hasSize(5);
        assertThat(events).noneMatch(e -> e.phase() == PullPhase.DOWNLOADING);
        assertThat(img.layers).allMatch(this::inStore);
    }

    @Test
    void resumesAPartialIngestFromItsOffset() {
        Built img = build("lib/app", "v1", "amd64", 1, 400_000, 11);
        Descriptor layer = img.layers.getFirst();
        try (ContentWriter w = store.writer(layer.ingestRef(), layer.size(), layer.digest())) {
            w.write(img.layerBytes.getFirst(), 0, 150_000);
        }
        PullResult r = puller.pull(ref("lib/app:v1"), PullOptions.defaults());
        assertThat(inStore(layer)).isTrue();
        assertThat(registry.requests).contains("GET /v2/lib/app/blobs/" + layer.digest() + " bytes=150000-");
        assertThat(r.bytesDownloaded()).isEqualTo(img.manifest.size() + img.config.size() + layer.size() - 150_000);
    }

    @Test
    void startsOverWhenAResumedIngestHeldWrongBytes() {
        Built img = build("lib/app", "v1", "amd64", 1, 200_000, 17);
        Descriptor layer = img.layers.getFirst();
        byte[] garbage = new byte[80_000]; // e.g. what a crash left: not a prefix of the blob
        try (ContentWriter w = store.writer(layer.ingestRef(), layer.size(), layer.digest())) {
            w.write(garbage, 0, garbage.length);
        }
        PullResult r = puller.pull(ref("lib/app:v1"), PullOptions.defaults());
        assertThat(inStore(layer)).isTrue();
        assertThat(registry.requests).contains("GET /v2/lib/app/blobs/" + layer.digest() + " bytes=80000-",
                "GET /v2/lib/app/blobs/" + layer.digest());
        assertThat(r.bytesDownloaded()).isEqualTo(img.manifest.size() + img.config.size() + layer.size() - 80_000 + layer.size());
        assertThat(store.listStatuses()).isEmpty();
    }

    @Test
    void refusesALayerWhoseDigestDoesNotMatchAndKeepsNothingOfIt() {
        Built img = build("lib/app", "v1", "amd64", 2, 10_000, 12);
        Descriptor bad = img.layers.get(1);
        byte[] evil = img.layerBytes.get(1).clone();
        evil[5] ^= 0x40;
        registry.corruptBlobs.put(bad.digest().toString(), evil);
        assertThatThrownBy(() -> puller.pull(ref("lib/app:v1"), PullOptions.defaults()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining(bad.digest().toString())
                .hasMessageContaining("does not match");
        assertThat(inStore(bad)).isFalse();
        assertThatThrownBy(() -> store.info(Digest.of(evil))).isInstanceOf(NotFoundException.class);
        assertThat(store.listStatuses()).extracting(s -> s.ref()).doesNotContain(bad.ingestRef());
    }

    @Test
    void refusesAManifestOverFourMebibytes() {
        byte[] huge = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"annotations\":{\"pad\":\""
                + "x".repeat(4 << 20) + "\"}}").getBytes(StandardCharsets.UTF_8);
        registry.addManifest("lib/huge", "latest", MediaTypes.OCI_MANIFEST, huge);
        assertThatThrownBy(() -> puller.pull(ref("lib/huge"), PullOptions.defaults()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("over the 4194304 byte limit");
        assertThat(store.listStatuses()).isEmpty();
    }

    @Test
    void refusesAMalformedReferenceQuotingIt() {
        assertThatThrownBy(() -> puller.pull("Bad/Ref", PullOptions.defaults()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("\"Bad/Ref\"");
    }

    @Test
    void fetchesLayersInParallelUpToTheLimit() {
        build("lib/app", "v1", "amd64", 6, 1000, 13);
        registry.blobDelayMillis = 600; // long enough for all four requests to overlap on a busy machine
        puller.pull(ref("lib/app:v1"), PullOptions.defaults().withConcurrency(4));
        assertThat(registry.maxInFlight.get()).isEqualTo(4);
    }

    @Test
    void fetchesOneAtATimeWhenTheLimitIsOne() {
        build("lib/app", "v1", "amd64", 3, 1000, 14);
        registry.blobDelayMillis = 50;
        puller.pull(ref("lib/app:v1"), PullOptions.defaults().withConcurrency(1));
        assertThat(registry.maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void tellsTheLayerListenerAboutEachLayerOnceItIsCommitted() {
        Built img = build("lib/app", "v1", "amd64", 4, 20_000, 15);
        ConcurrentLinkedQueue<String> calls = new ConcurrentLinkedQueue<>();
        LayerListener l = new LayerListener() {
            @Override
            public void onManifest(Descriptor manifestDesc, Manifest manifest) {
                calls.add("manifest " + manifest.layers().size());
            }

            @Override
            public void onLayerCommitted(Descriptor manifestDesc, int index, Descriptor layer) {
                assertThat(inStore(layer)).isTrue();
                assertThat(layer).isEqualTo(img.layers.get(index));
                calls.add("layer " + index);
            }
        };
        puller.pull(ref("lib/app:v1"), PullOptions.defaults().withLayerListener(l));
        assertThat(calls.peek()).isEqualTo("manifest 4");
        assertThat(calls).containsExactlyInAnyOrder("manifest 4", "layer 0", "layer 1", "layer 2", "layer 3");
    }

    @Test
    void reportsWaitingDownloadingAndDonePerBlob() {
        Built img = build("lib/app", "v1", "amd64", 2, 600_000, 16);
        ConcurrentLinkedQueue<PullProgress> q = new ConcurrentLinkedQueue<>();
        puller.pull(ref("lib/app:v1"), PullOptions.defaults().withListener(q::add));
        assertThat(q.peek().phase()).isEqualTo(PullPhase.RESOLVING);
        Descriptor layer = img.layers.get(1);
        List<PullPhase> phases = q.stream().filter(p -> layer.equals(p.blob())).map(PullProgress::phase).distinct().toList();
        assertThat(phases).containsExactly(PullPhase.WAITING, PullPhase.DOWNLOADING, PullPhase.DONE);
        assertThat(q).filteredOn(p -> layer.equals(p.blob()) && p.phase() == PullPhase.DOWNLOADING)
                .extracting(PullProgress::offset).isSorted().contains(layer.size());
        assertThat(q).filteredOn(p -> p.phase() == PullPhase.DONE).hasSize(4);
    }
}
