package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.images.ImageTarget;
import io.jcontainerd.supervisor.leases.LeaseResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectorTest {
    private static final String NS = "default";

    @TempDir
    Path dir;
    TestStores t;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
    }

    @AfterEach
    void close() {
        t.close();
    }

    /** index → manifest → config + layer, linked by the labels containerd's clients set. */
    private record Image(ContentInfo index, ContentInfo manifest, ContentInfo config, ContentInfo layer) {
        List<Digest> all() {
            return List.of(index.digest(), manifest.digest(), config.digest(), layer.digest());
        }
    }

    private Image writeImage(String ns, String tag) {
        ContentInfo layer = t.put(ns, "layer " + tag);
        ContentInfo config = t.put(ns, "config " + tag);
        ContentInfo manifest = t.put(ns, "manifest " + tag, Map.of(
                "containerd.io/gc.ref.content.config", config.digest().toString(),
                "containerd.io/gc.ref.content.l.0", layer.digest().toString()), Optional.empty());
        ContentInfo index = t.put(ns, "index " + tag, Map.of(
                "containerd.io/gc.ref.content.m.0", manifest.digest().toString(),
                "containerd.io/gc.ref.content.m.1", "sha256:" + "9".repeat(64)), Optional.empty());
        return new Image(index, manifest, config, layer);
    }

    private void createImage(String ns, String name, Image img) {
        t.stores.images().create(ns, name, Map.of(), new ImageTarget("application/vnd.oci.image.index.v1+json",
                img.index().digest().toString(), img.index().size(), Map.of()));
    }

    private void assertKept(String ns, Digest d) {
        assertThat(t.stores.content().exists(ns, d)).as("record of %s in %s", d, ns).isTrue();
        assertThat(t.blobOnDisk(d)).as("blob %s on disk", d).isTrue();
    }

    private void assertRemoved(String ns, Digest d) {
        assertThat(t.stores.content().exists(ns, d)).as("record of %s in %s", d, ns).isFalse();
        assertThat(t.blobOnDisk(d)).as("blob %s on disk", d).isFalse();
    }

    @Test
    void keepsEverythingAnImageReachesThroughGcRefLabelsAndRemovesTheRest() {
        Image img = writeImage(NS, "a");
        createImage(NS, "docker.io/library/a:latest", img);
        ContentInfo stray = t.put(NS, "nobody refers to me");

        GcResult result = t.stores.gc().collect();

        img.all().forEach(d -> assertKept(NS, d));
        assertRemoved(NS, stray.digest());
        assertThat(result.contentRecords()).isEqualTo(1);
        assertThat(result.blobs()).isEqualTo(1);
    }

    @Test
    void deletingTheImageLetsTheNextCollectionRemoveAllItsBlobs() {
        Image img = writeImage(NS, "a");
        createImage(NS, "docker.io/library/a:latest", img);
        t.stores.gc().collect();

        t.stores.images().delete(NS, "docker.io/library/a:latest", Optional.empty());
        t.stores.gc().collect();

        img.all().forEach(d -> assertRemoved(NS, d));
    }

    @Test
    void contentSharedByTwoImagesStaysWhileEitherExists() {
        Image a = writeImage(NS, "shared");
        createImage(NS, "a:1", a);
        createImage(NS, "b:1", a);

        t.stores.images().delete(NS, "a:1", Optional.empty());
        t.stores.gc().collect();
        a.all().forEach(d -> assertKept(NS, d));

        t.stores.images().delete(NS, "b:1", Optional.empty());
        t.stores.gc().collect();
        a.all().forEach(d -> assertRemoved(NS, d));
    }

    @Test
    void aLeaseKeepsItsContentAndWhatItReferencesUntilTheLeaseIsDeleted() {
        t.stores.leases().create(NS, "pull-1", Map.of());
        ContentInfo layer = t.put(NS, "layer", Map.of(), Optional.of("pull-1"));
        ContentInfo manifest = t.put(NS, "manifest", Map.of("containerd.io/gc.ref.content.l.0", layer.digest().toString()),
                Optional.of("pull-1"));

        t.stores.gc().collect();
        assertKept(NS, layer.digest());
        assertKept(NS, manifest.digest());

        t.stores.leases().delete(NS, "pull-1");
        t.stores.gc().collect();
        assertRemoved(NS, layer.digest());
        assertRemoved(NS, manifest.digest());
    }

    @Test
    void anExpiredLeaseIsDeletedFirstWhileAnUnexpiredOneProtects() {
        t.stores.leases().create(NS, "old", Map.of("containerd.io/gc.expire", "2026-01-01T01:00:00Z"));
        t.stores.leases().create(NS, "young", Map.of("containerd.io/gc.expire", "2026-01-02T00:00:00+00:00"));
        ContentInfo oldBlob = t.put(NS, "old blob", Map.of(), Optional.of("old"));
        ContentInfo youngBlob = t.put(NS, "young blob", Map.of(), Optional.of("young"));
        t.clock.set(java.time.Instant.parse("2026-01-01T02:00:00Z"));

        GcResult result = t.stores.gc().collect();

        assertThat(result.expiredLeases()).isEqualTo(1);
        assertThat(t.stores.leases().find(NS, "old")).isEmpty();
        assertThat(t.stores.leases().find(NS, "young")).isPresent();
        assertRemoved(NS, oldBlob.digest());
        assertKept(NS, youngBlob.digest());
    }

    @Test
    void gcRootLabelKeepsContentAndItsReferences() {
        ContentInfo child = t.put(NS, "child");
        ContentInfo root = t.put(NS, "root", Map.of("containerd.io/gc.root", "2026-01-01T00:00:00Z",
                "containerd.io/gc.ref.content", child.digest().toString()), Optional.empty());

        t.stores.gc().collect();

        assertKept(NS, root.digest());
        assertKept(NS, child.digest());
    }

    @Test
    void aBlobRecordedByTwoNamespacesStaysOnDiskUntilNeitherRecordsIt() {
        t.stores.leases().create("b", "hold", Map.of());
        ContentInfo inA = t.put(NS, "shared bytes");
        ContentInfo inB = t.put("b", "shared bytes", Map.of(), Optional.of("hold"));
        assertThat(inA.digest()).isEqualTo(inB.digest());

        t.stores.gc().collect();
        assertThat(t.stores.content().exists(NS, inA.digest())).isFalse();
        assertKept("b", inB.digest());

        t.stores.leases().delete("b", "hold");
        t.stores.gc().collect();
        assertRemoved("b", inB.digest());
    }

    @Test
    void referencesAreFollowedOnlyWithinTheirNamespace() {
        ContentInfo target = t.put("other", "only in other");
        ContentInfo referrer = t.put(NS, "refers across", Map.of(
                "containerd.io/gc.root", "yes", "containerd.io/gc.ref.content", target.digest().toString()), Optional.empty());

        t.stores.gc().collect();

        assertKept(NS, referrer.digest());
        assertRemoved("other", target.digest());
    }

    @Test
    void cyclesAndDanglingReferencesNeitherLoopNorProtectUnreachableContent() {
        ContentInfo a = t.put(NS, "a");
        ContentInfo b = t.put(NS, "b", Map.of("containerd.io/gc.ref.content", a.digest().toString()), Optional.empty());
        t.stores.content().update(NS, a.digest(), Map.of("containerd.io/gc.ref.content", b.digest().toString(),
                "containerd.io/gc.ref.content.bogus", "not-a-digest"), List.of("labels.containerd.io/gc.ref.content",
                "labels.containerd.io/gc.ref.content.bogus"));

        t.stores.gc().collect();
        assertRemoved(NS, a.digest());
        assertRemoved(NS, b.digest());
    }

    @Test
    void snapshotReferencesReachTheParticipantThatOwnsSnapshots() {
        Set<GcRef> seen = new HashSet<>();
        t.stores.gc().addParticipant(new GcParticipant() {
            @Override
            public void roots(Consumer<GcRef> out) {
            }

            @Override
            public void references(GcRef node, Consumer<GcRef> out) {
            }

            @Override
            public int sweep(Set<GcRef> marked) {
                seen.addAll(marked);
                return 0;
            }
        });
        Image img = writeImage(NS, "s");
        t.stores.content().update(NS, img.config().digest(),
                Map.of("containerd.io/gc.ref.snapshot.overlayfs", "sha256:chain"), List.of("labels.containerd.io/gc.ref.snapshot.overlayfs"));
        createImage(NS, "s:1", img);
        t.stores.leases().create(NS, "unpack", Map.of());
        t.stores.leases().addResource(NS, "unpack", new LeaseResource("snapshots/native", "extract-1 key"));

        t.stores.gc().collect();

        assertThat(seen).contains(new GcRef.Snapshot(NS, "overlayfs", "sha256:chain"),
                new GcRef.Snapshot(NS, "native", "extract-1 key"));
    }

    @Test
    void concurrentLeasedCommitsAreNeverCollected() throws Exception {
        t.stores.leases().create(NS, "busy", Map.of());
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Digest> committed = new ConcurrentLinkedQueue<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> collector = pool.submit(() -> {
                while (!stop.get()) {
                    t.stores.gc().collect();
                }
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        committed.add(t.put(NS, "writer " + id + " blob " + i, Map.of(), Optional.of("busy")).digest());
                    }
                }));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
            stop.set(true);
            collector.get(60, TimeUnit.SECONDS);
        }
        t.stores.gc().collect();
        assertThat(committed).hasSize(100);
        committed.forEach(d -> assertKept(NS, d));
    }

    @Test
    void anUnleasedIngestIdleForADayIsAbortedWhileALeasedOneStays() {
        t.stores.leases().create(NS, "slow-pull", Map.of());
        try (var w = t.stores.content().writer(NS, "abandoned", 0, null, Optional.empty())) {
            w.write(java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3}));
        }
        try (var w = t.stores.content().writer(NS, "held", 0, null, Optional.of("slow-pull"))) {
            w.write(java.nio.ByteBuffer.wrap(new byte[]{4, 5}));
        }
        t.clock.set(java.time.Instant.now().plus(GarbageCollector.INGEST_IDLE).minusSeconds(60));
        assertThat(t.stores.gc().collect().ingests()).as("not idle long enough yet").isZero();

        t.clock.set(java.time.Instant.now().plus(GarbageCollector.INGEST_IDLE).plusSeconds(60));
        GcResult result = t.stores.gc().collect();

        assertThat(result.ingests()).isEqualTo(1);
        assertThat(t.stores.content().listStatuses(NS, io.jcontainerd.config.filters.Filter.ALWAYS))
                .extracting(io.jcontainerd.content.store.IngestStatus::ref).containsExactly("held");
    }

    @Test
    void scheduleSoonRunsACollectionInTheBackground() throws Exception {
        ContentInfo stray = t.put(NS, "collect me soon");
        t.stores.gc().start(Duration.ofHours(1), Duration.ofMillis(50));

        t.stores.gc().scheduleSoon();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.blobOnDisk(stray.digest()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertRemoved(NS, stray.digest());
    }

    @Test
    void aReleasedSnapshotThatAContainerHoldsAsksForNoCollection() throws Exception {
        var containers = new io.jcontainerd.supervisor.containers.ContainerStore(t.db, t.namespaces, t.clock);
        containers.create(NS, new io.jcontainerd.supervisor.containers.ContainerRecord("c1", Map.of(), "", "io.containerd.runc.v2",
                null, new io.jcontainerd.supervisor.containers.Opaque("types.containerd.io/opencontainers/runtime-spec/1/Spec",
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "overlayfs", "c1", Map.of(), "", null, null));
        t.stores.gc().addParticipant(new io.jcontainerd.supervisor.containers.ContainerGc(containers));
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        t.stores.gc().onCollected(r -> first.countDown());
        t.stores.gc().start(Duration.ofHours(1), Duration.ofSeconds(1));
        assertThat(first.await(30, TimeUnit.SECONDS)).as("the collection at start").isTrue();

        t.stores.gc().scheduleSoonAfterRelease(NS, List.of(new LeaseResource("snapshots/overlayfs", "c1")));
        assertThat(t.stores.gc().collectionPending()).as("c1's container still holds it").isFalse();
        t.stores.gc().scheduleSoonAfterRelease("other", List.of(new LeaseResource("snapshots/overlayfs", "c1")));
        assertThat(t.stores.gc().collectionPending()).as("no container of namespace other holds it").isTrue();
    }

    @Test
    void aReleasedContentOrUnheldSnapshotAsksForACollection() throws Exception {
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        t.stores.gc().onCollected(r -> first.countDown());
        t.stores.gc().start(Duration.ofHours(1), Duration.ofSeconds(1));
        assertThat(first.await(30, TimeUnit.SECONDS)).as("the collection at start").isTrue();

        t.stores.gc().scheduleSoonAfterRelease(NS, List.of());
        assertThat(t.stores.gc().collectionPending()).as("nothing released").isFalse();
        t.stores.gc().scheduleSoonAfterRelease(NS, List.of(LeaseResource.content(Digest.of("x".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
        assertThat(t.stores.gc().collectionPending()).isTrue();
    }
}
