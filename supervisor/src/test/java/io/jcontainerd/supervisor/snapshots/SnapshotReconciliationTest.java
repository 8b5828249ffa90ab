package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.images.ImageTarget;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot records of the metadata and the snapshotter's own snapshots agree after every
 * collection, whatever a crash or a failed removal left: a record without its snapshot is
 * dropped, a snapshot without a record is removed, leftover directories go. And a collection
 * removes files after it lets go of the metadata.
 */
class SnapshotReconciliationTest {
    private static final String NS = "recon";

    @TempDir
    Path dir;
    TestStores t;
    NativeSnapshotter driver;
    SnapshotterSet drivers;
    NamespacedSnapshots snapshots;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        driver = new NativeSnapshotter(dir.resolve("native"));
    }

    private void wire(Snapshotter d) {
        drivers = new SnapshotterSet().add("native", d);
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
    }

    @AfterEach
    void close() {
        if (drivers != null) {
            drivers.close();
        }
        t.close();
    }

    private boolean recorded(String key) {
        return t.db.get(Family.SNAPSHOTS, Keys.of(NS, "native", key)) != null;
    }

    private List<String> backendNames() {
        List<String> names = new ArrayList<>();
        driver.walk(i -> names.add(i.name()));
        return names;
    }

    private List<String> snapshotDirectories() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("native/snapshots"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A gc.root label keeps a snapshot through collections. */
    private static final Map<String, String> ROOT = Map.of("containerd.io/gc.root", "x");

    @Test
    void aCommitCutBetweenSnapshotterAndRecordIsRepairedByTheNextCollection() throws IOException {
        wire(driver);
        snapshots.prepare(NS, "native", "work", "", ROOT, Optional.empty());
        // the crash: the snapshotter committed, the metadata still names the active key
        driver.commit(NS + "/layer", NS + "/work", ROOT);

        t.stores.gc().collect();

        assertThat(recorded("work")).as("record of the vanished active snapshot").isFalse();
        assertThat(backendNames()).as("the snapshotter's snapshots").isEmpty();
        assertThat(snapshotDirectories()).as("snapshot directories").isEmpty();
        t.namespaces.delete(NS);
    }

    @Test
    void aRecordWhoseSnapshotIsGoneIsDroppedSoTheNamespaceCanBeDeleted() {
        wire(driver);
        snapshots.prepare(NS, "native", "gone", "", ROOT, Optional.empty());
        driver.remove(NS + "/gone");

        t.stores.gc().collect();

        assertThat(recorded("gone")).isFalse();
        t.namespaces.delete(NS);
        assertThat(t.namespaces.find(NS)).isEmpty();
    }

    @Test
    void aSnapshotWithoutARecordAndLeftoverDirectoriesAreRemovedByTheNextCollection() throws IOException {
        wire(driver);
        snapshots.prepare(NS, "native", "kept", "", ROOT, Optional.empty());
        driver.prepare(NS + "/orphan", "", Map.of());
        Path leftover = Files.createDirectories(dir.resolve("native/snapshots/rm-4242/fs/etc"));
        Files.writeString(leftover.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");

        t.stores.gc().collect();

        assertThat(backendNames()).containsExactly(NS + "/kept");
        assertThat(snapshotDirectories()).as("only the kept snapshot's directory").hasSize(1);
        assertThat(snapshots.stat(NS, "native", "kept").name()).isEqualTo("kept");
    }

    @Test
    void aCollectionOfManySnapshotsLetsMetadataCallsThroughWhileItRemovesTheirFiles() throws Exception {
        CountDownLatch removingFiles = new CountDownLatch(1);
        CountDownLatch finishRemoval = new CountDownLatch(1);
        wire(new SlowToDeleteFiles(driver, removingFiles, finishRemoval));
        // 20 chains of 10 layers, none referenced: all of them go
        for (int c = 0; c < 20; c++) {
            String parent = "";
            for (int l = 0; l < 10; l++) {
                String key = "c" + c + "-l" + l;
                snapshots.prepare(NS, "native", "active-" + key, parent, Map.of(), Optional.empty());
                snapshots.commit(NS, "native", key, "active-" + key, Map.of(), Optional.empty());
                parent = key;
            }
        }
        // own threads: the common pool may have a single worker on a small machine
        CompletableFuture<?> collection = CompletableFuture.runAsync(() -> t.stores.gc().collect(), Thread::startVirtualThread);
        CompletableFuture<?> call = null;
        try {
            assertThat(removingFiles.await(60, TimeUnit.SECONDS)).as("the collection started removing files").isTrue();
            // a metadata change that needs the collection lock, while files are being removed
            call = CompletableFuture.runAsync(() -> t.stores.images().create(NS, "docker.io/library/x:1",
                    Map.of(), new ImageTarget("application/vnd.oci.image.manifest.v1+json", "sha256:" + "b".repeat(64), 1, Map.of())),
                    Thread::startVirtualThread);
            call.get(20, TimeUnit.SECONDS);
            assertThat(collection).as("the collection still removes files").isNotDone();
        } finally {
            finishRemoval.countDown();
            collection.get(60, TimeUnit.SECONDS);
            if (call != null) {
                call.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(backendNames()).isEmpty();
        assertThat(snapshotDirectories()).isEmpty();
        for (int c = 0; c < 20; c++) {
            assertThat(recorded("c" + c + "-l0")).isFalse();
        }
    }

    /** The native driver whose file removal (remove, cleanup) waits until the test lets it go on. */
    private static final class SlowToDeleteFiles extends ForwardingSnapshotter {
        private final CountDownLatch removing;
        private final CountDownLatch finish;

        SlowToDeleteFiles(NativeSnapshotter d, CountDownLatch removing, CountDownLatch finish) {
            super(d);
            this.removing = removing;
            this.finish = finish;
        }

        private void slowFiles() {
            removing.countDown();
            try {
                finish.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void remove(String key) {
            slowFiles();
            d.remove(key);
        }

        @Override
        public void cleanup() {
            slowFiles();
            d.cleanup();
        }
    }
}
