package io.jcontainerd.supervisor.pull;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.pull.PlatformSelection;
import io.jcontainerd.content.pull.PullPhase;
import io.jcontainerd.content.pull.PullProgress;
import io.jcontainerd.content.registry.FakeRegistry;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.apply.LayerApplier;
import io.jcontainerd.snapshot.apply.MountApplier;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.supervisor.diff.LayerApply;
import io.jcontainerd.supervisor.events.Event;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.snapshots.SnapshotGc;
import io.jcontainerd.supervisor.snapshots.SnapshotterSet;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ServerPull} over real stores, real snapshotters (as root) and the real test registry. */
class ServerPullIT {
    private static final String NS = "pull";

    @TempDir
    Path dir;
    TestStores t;
    SnapshotterSet drivers;
    NamespacedSnapshots snapshots;
    EventExchange events;
    ServerPull pull;
    TestRegistry registry;

    @BeforeEach
    void setUp() {
        registry = TestRegistry.shared();
        t = new TestStores(dir);
        drivers = new SnapshotterSet().add("native", new NativeSnapshotter(dir.resolve("native")))
                .add("overlayfs", new OverlaySnapshotter(dir.resolve("overlayfs")));
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        events = new EventExchange();
        LayerApply apply = new LayerApply(t.stores.content(), new MountApplier(new LayerApplier(), Mounter.linux(), dir.resolve("scratch")));
        pull = new ServerPull(t.stores.content(), t.stores.images(), t.stores.leases(), t.namespaces, snapshots,
                drivers.names(), apply, events, RegistryClient.builder().hostsDir(registry.hostsDir()).build(),
                "native", 3, t.clock);
    }

    @AfterEach
    void tearDown() {
        drivers.close();
        t.close();
    }

    private static PullSpec spec(String name) {
        return new PullSpec(TestRegistry.dockerHubReference(name), PlatformSelection.host(), true, "", 0);
    }

    @Test
    void pullLabelsTheBlobsCommitsTheChainCreatesTheImageAndReleasesItsLease() throws Exception {
        FixtureImage busybox = registry.images().image("busybox:latest");
        Digest manifest = Digest.parse(busybox.manifest().digest());
        Digest config = Digest.parse(busybox.config().digest());
        Digest layer = Digest.parse(busybox.layers().getFirst().digest());
        String chain = busybox.diffIds().getFirst();
        try (var sub = events.subscribe(Filter.ALWAYS)) {
            PullOutcome o = pull.pull(NS, spec("busybox:latest"), PullObserver.NONE);

            assertThat(o.image().name()).isEqualTo("docker.io/library/busybox:latest");
            assertThat(o.image().target().digest()).isEqualTo(manifest.toString());
            assertThat(o.snapshotter()).isEqualTo("native");
            assertThat(o.unpacked()).singleElement().satisfies(u -> {
                assertThat(u.platform()).isEqualTo("linux/amd64");
                assertThat(u.topChainId()).isEqualTo(chain);
                assertThat(u.layersApplied()).isOne();
            });
            assertThat(snapshots.stat(NS, "native", chain).kind()).isEqualTo(Kind.COMMITTED);
            var content = t.stores.content();
            assertThat(content.info(NS, manifest).labels()).containsEntry("containerd.io/gc.ref.content.config", config.toString())
                    .containsEntry("containerd.io/gc.ref.content.l.0", layer.toString())
                    .containsEntry("containerd.io/distribution.source.docker.io", "library/busybox");
            assertThat(content.info(NS, config).labels()).containsEntry("containerd.io/gc.ref.snapshot.native", chain);
            assertThat(content.info(NS, layer).labels()).containsEntry("containerd.io/uncompressed", chain);
            assertThat(t.stores.leases().list(NS, Filter.ALWAYS)).as("the pull's lease is gone").isEmpty();
            assertThat(topics(sub)).contains("/images/create");

            PullOutcome again = pull.pull(NS, spec("busybox:latest"), PullObserver.NONE);
            assertThat(again.download().bytesDownloaded()).isZero();
            assertThat(again.unpacked().getFirst().layersApplied()).as("the snapshot existed").isZero();
            assertThat(topics(sub)).contains("/images/update");
        }
    }

    @Test
    void theImageRecordAndLabelsKeepContentAndSnapshotsThroughACollectionAndDeletingTheImageFreesThem() {
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
        FixtureImage whiteouts = registry.images().image("whiteouts:latest");
        List<String> chains = pull.pull(NS, spec("whiteouts:latest"), PullObserver.NONE).unpacked().getFirst().chainIds()
                .stream().map(Digest::toString).toList();
        t.stores.gc().collect();
        assertThat(t.stores.content().exists(NS, Digest.parse(whiteouts.layers().getLast().digest()))).isTrue();
        assertThat(t.stores.content().exists(NS, Digest.parse(whiteouts.config().digest()))).isTrue();
        assertThat(snapshotNames()).as("the whole chain, parents included").containsExactlyInAnyOrderElementsOf(chains);

        t.stores.images().delete(NS, "docker.io/library/whiteouts:latest", java.util.Optional.empty());
        t.stores.gc().collect();
        assertThat(t.stores.content().exists(NS, Digest.parse(whiteouts.config().digest()))).isFalse();
        assertThat(snapshotNames()).isEmpty();
    }

    private List<String> snapshotNames() {
        List<String> names = new ArrayList<>();
        snapshots.walk(NS, "native", i -> names.add(i.name()));
        return names;
    }

    @Test
    void unpackingStartsBeforeTheLastLayerIsDownloaded() {
        List<String> timeline = new CopyOnWriteArrayList<>();
        PullObserver observer = new PullObserver() {
            @Override
            public void onProgress(PullProgress p) {
                if (p.phase() == PullPhase.DONE && p.blob() != null && p.blob().kind().refPrefix().equals("layer")) {
                    timeline.add("downloaded");
                }
            }

            @Override
            public void onUnpack(Descriptor layer, boolean finished) {
                timeline.add(finished ? "unpacked" : "unpacking");
            }
        };
        FixtureImage large = registry.images().image("large:latest");
        PullOutcome o = pull.pull(NS, new PullSpec(TestRegistry.dockerHubReference("large:latest"), PlatformSelection.host(),
                true, "overlayfs", 2), observer);
        assertThat(o.unpacked().getFirst().layersApplied()).isEqualTo(large.layers().size());
        assertThat(timeline.indexOf("unpacking")).as("timeline " + timeline).isLessThan(timeline.lastIndexOf("downloaded"));
        assertThat(timeline.stream().filter("unpacked"::equals)).hasSize(large.layers().size());
    }

    @Test
    void aFailedPullLeavesNoLeaseNoImageAndNoSnapshot() {
        assertThatThrownBy(() -> pull.pull(NS, new PullSpec(registry.reference("busybox:no-such-tag"), PlatformSelection.host(),
                true, "", 0), PullObserver.NONE))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("busybox:no-such-tag");
        assertThat(t.stores.leases().list(NS, Filter.ALWAYS)).isEmpty();
        assertThat(t.stores.images().list(NS, Filter.ALWAYS)).isEmpty();
        List<String> left = new ArrayList<>();
        snapshots.walk(NS, "native", i -> left.add(i.name()));
        assertThat(left).isEmpty();
    }

    @Test
    void aPullCancelledMidLayerReleasesItsLeaseAndTheNextPullResumesTheIngest() {
        FixtureImage large = registry.images().image("large:latest");
        long total = large.layers().stream().mapToLong(l -> l.size()).sum() + large.config().size() + large.manifest().size();
        PullObserver cancelsMidLayer = new PullObserver() {
            @Override
            public void onProgress(PullProgress p) {
                if (p.phase() == PullPhase.DOWNLOADING && p.offset() > 4 << 20) {
                    throw io.jcontainerd.config.errdefs.JcdException.of(io.jcontainerd.config.errdefs.ErrorKind.CANCELLED,
                            "the client cancelled the pull", null);
                }
            }

            @Override
            public void onUnpack(Descriptor layer, boolean finished) {
            }
        };
        PullSpec spec = new PullSpec(TestRegistry.dockerHubReference("large:latest"), PlatformSelection.host(), true, "", 1);
        assertThatThrownBy(() -> pull.pull(NS, spec, cancelsMidLayer)).hasMessageContaining("cancelled");
        assertThat(t.stores.leases().list(NS, Filter.ALWAYS)).isEmpty();
        assertThat(t.stores.images().list(NS, Filter.ALWAYS)).isEmpty();
        assertThat(t.stores.content().listStatuses(NS, Filter.ALWAYS)).as("the partial layer is kept for a resume")
                .anySatisfy(st -> assertThat(st.offset()).isGreaterThan(4 << 20));

        PullOutcome resumed = pull.pull(NS, spec, PullObserver.NONE);
        assertThat(resumed.download().bytesDownloaded()).as("resumed, not restarted").isLessThanOrEqualTo(total - (4 << 20));
        UnpackedImage unpacked = resumed.unpacked().getFirst();
        assertThat(unpacked.chainIds()).hasSize(large.layers().size());
        assertThat(snapshots.stat(NS, "native", unpacked.topChainId()).kind()).isEqualTo(Kind.COMMITTED);
    }

    @Test
    void aLayerWhoseContentDoesNotMatchItsDiffIdIsRefusedAndItsSnapshotRemoved() throws Exception {
        FixtureImage busybox = registry.images().image("busybox:latest");
        try (FakeRegistry fake = new FakeRegistry()) {
            String wrong = Digest.of("not this layer".getBytes(StandardCharsets.UTF_8)).toString();
            String ref = serve(fake, busybox, List.of(wrong));
            assertThatThrownBy(() -> pull.pull(NS, new PullSpec(ref, PlatformSelection.host(), true, "overlayfs", 0), PullObserver.NONE))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining(busybox.layers().getFirst().digest()).hasMessageContaining("diff_id is " + wrong);
        }
        List<String> left = new ArrayList<>();
        snapshots.walk(NS, "overlayfs", i -> left.add(i.name()));
        assertThat(left).as("no half-made snapshot, no committed layer").isEmpty();
        assertThat(t.stores.leases().list(NS, Filter.ALWAYS)).isEmpty();
        assertThat(t.stores.images().list(NS, Filter.ALWAYS)).isEmpty();
    }

    @Test
    void aConfigListingFewerDiffIdsThanLayersIsRefusedNamingBoth() throws Exception {
        FixtureImage busybox = registry.images().image("busybox:latest");
        try (FakeRegistry fake = new FakeRegistry()) {
            String ref = serve(fake, busybox, List.of());
            assertThatThrownBy(() -> pull.pull(NS, new PullSpec(ref, PlatformSelection.host(), true, "", 0), PullObserver.NONE))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("has 1 layers but its config")
                    .hasMessageContaining("lists 0 diff_ids");
        }
    }

    /** Serves busybox's real layer under a config of our own with the given diff_ids; returns the reference. */
    private String serve(FakeRegistry fake, FixtureImage busybox, List<String> diffIds) {
        var layer = busybox.layers().getFirst();
        fake.addBlob(registry.images().blob(layer.digest()));
        String ids = diffIds.stream().map(d -> "\"" + d + "\"").collect(java.util.stream.Collectors.joining(","));
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + ids + "]}}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = fake.addBlob(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + layer.mediaType() + "\",\"digest\":\""
                + layer.digest() + "\",\"size\":" + layer.size() + "}]}").getBytes(StandardCharsets.UTF_8);
        fake.addManifest("corrupt/image", "latest", "application/vnd.oci.image.manifest.v1+json", manifest);
        return fake.host() + "/corrupt/image:latest";
    }

    @Test
    void twoConcurrentPullsOfTheSameImageBothSucceedAndShareOneSnapshot() throws Exception {
        FixtureImage whiteouts = registry.images().image("whiteouts:latest");
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<PullOutcome> a = pool.submit(() -> pull.pull(NS, spec("whiteouts:latest"), PullObserver.NONE));
            Future<PullOutcome> b = pool.submit(() -> pull.pull(NS, spec("whiteouts:latest"), PullObserver.NONE));
            assertThat(a.get().unpacked().getFirst().chainIds()).isEqualTo(b.get().unpacked().getFirst().chainIds());
        }
        List<String> names = new ArrayList<>();
        snapshots.walk(NS, "native", i -> names.add(i.name()));
        assertThat(names).as("only committed chain IDs, no leftover extract keys").hasSize(whiteouts.layers().size())
                .allMatch(n -> n.startsWith("sha256:"));
    }

    @Test
    void theSnapshotterIsTheRequestsElseTheNamespaceDefaultElseTheDaemons() {
        assertThat(pull.snapshotterFor("plain", "")).isEqualTo("native");
        t.namespaces.create("labelled", Map.of(ServerPull.DEFAULT_SNAPSHOTTER_LABEL, "overlayfs"));
        assertThat(pull.snapshotterFor("labelled", "")).isEqualTo("overlayfs");
        assertThat(pull.snapshotterFor("labelled", "native")).isEqualTo("native");
        assertThatThrownBy(() -> pull.snapshotterFor("plain", "zfs")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("snapshotter not loaded: zfs");
    }

    private static List<String> topics(io.jcontainerd.supervisor.events.EventExchange.Subscription sub) throws InterruptedException {
        List<String> out = new ArrayList<>();
        Event e;
        while ((e = sub.next(200)) != null) {
            out.add(e.topic());
        }
        return out;
    }
}
