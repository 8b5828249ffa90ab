package io.jcontainerd.supervisor.gc;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.supervisor.containers.ContainerGc;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.images.ImageTarget;
import io.jcontainerd.supervisor.leases.LeaseRecord;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.snapshots.SnapshotGc;
import io.jcontainerd.supervisor.snapshots.SnapshotterSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Changes that race: deleting a namespace against creating an object in it, and a collection
 * against creating a container on a snapshot. Whatever the interleaving, no object outlives its
 * namespace and no container points at a snapshot the collector removed.
 */
class ConcurrentChangesTest {
    private static final int ROUNDS = 60;
    private static final Opaque SPEC = new Opaque("types.containerd.io/opencontainers/runtime-spec/1/Spec",
            "{\"ociVersion\":\"1.0.2\"}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;
    TestStores t;
    SnapshotterSet drivers;
    NamespacedSnapshots snapshots;
    ContainerStore containers;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        drivers = new SnapshotterSet().add("native", new NativeSnapshotter(dir.resolve("native")));
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        containers = new ContainerStore(t.db, t.namespaces, t.clock);
    }

    @AfterEach
    void close() {
        drivers.close();
        t.close();
    }

    private static ContainerRecord container(String id, String snapshotKey) {
        return new ContainerRecord(id, Map.of(), "", "io.containerd.runc.v2", null, SPEC,
                snapshotKey.isEmpty() ? "" : "native", snapshotKey, Map.of(), "", null, null);
    }

    /** One kind of object a client creates in a namespace. */
    private interface Creation {
        void create(String ns);
    }

    @Test
    void anImageCreatedWhileItsNamespaceIsDeletedNeverOutlivesTheNamespace() throws Exception {
        hammerNamespaceDeletion("image", ns -> t.stores.images().create(ns, "docker.io/library/x:1", Map.of(),
                new ImageTarget("application/vnd.oci.image.manifest.v1+json", "sha256:" + "a".repeat(64), 1, Map.of())));
    }

    @Test
    void aContainerCreatedWhileItsNamespaceIsDeletedNeverOutlivesTheNamespace() throws Exception {
        hammerNamespaceDeletion("container", ns -> containers.create(ns, container("c1", "")));
    }

    @Test
    void aLeaseOrBlobCreatedWhileItsNamespaceIsDeletedNeverOutlivesTheNamespace() throws Exception {
        hammerNamespaceDeletion("lease", ns -> t.stores.leases().create(ns, "l1", Map.of()));
        hammerNamespaceDeletion("content", ns -> t.put(ns, "blob of " + ns));
        hammerNamespaceDeletion("snapshot", ns -> snapshots.prepare(ns, "native", "s1", "", Map.of(), Optional.empty()));
    }

    /**
     * Per round, a fresh namespace: one thread creates an object in it while the other deletes the
     * namespace as soon as it exists and is empty. Afterwards either the namespace exists (and the
     * object with it) or neither does.
     */
    private void hammerNamespaceDeletion(String kind, Creation creation) throws Exception {
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            String ns = kind + "-race-" + i;
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicBoolean created = new AtomicBoolean();
            AtomicReference<Throwable> creatorError = new AtomicReference<>();
            Thread creator = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    creation.create(ns);
                } catch (Throwable e) {
                    creatorError.set(e);
                } finally {
                    created.set(true);
                }
            });
            start.await();
            boolean deleted = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!deleted && !created.get() && System.nanoTime() < deadline) {
                try {
                    t.namespaces.delete(ns);
                    deleted = true;
                } catch (NotFoundException notYet) {
                    Thread.onSpinWait();
                } catch (JcdException notEmpty) {
                    break;
                }
            }
            creator.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(creator.isAlive()).as("creator of round %d finished", i).isFalse();
            boolean namespaceExists = t.namespaces.find(ns).isPresent();
            boolean objectsLeft = false;
            for (Family f : Family.values()) {
                if (f != Family.NAMESPACES && t.db.any(f, Keys.prefix(ns))) {
                    objectsLeft = true;
                }
            }
            if (objectsLeft && !namespaceExists) {
                broken.add(ns + (creatorError.get() == null ? "" : " (creator failed: " + creatorError.get() + ")"));
            }
        }
        assertThat(broken).as("namespaces deleted while %s objects were created in them", kind).isEmpty();
    }

    /** One call that adds a resource to a lease, prepared before the race so only the call itself races. */
    private interface LeasedAddition {
        Runnable prepare(String ns, String lease, int round);
    }

    @Test
    void aResourceAddedWhileItsLeaseIsDeletedIsNeverLeftUnderTheDeletedLease() throws Exception {
        Map<String, Integer> broken = new java.util.LinkedHashMap<>();
        broken.put("content commit", hammerLeaseDeletion("content", (ns, lease, i) -> {
            byte[] data = ("blob " + lease).getBytes(StandardCharsets.UTF_8);
            io.jcontainerd.content.image.Digest d = io.jcontainerd.content.image.Digest.of(data);
            var w = t.stores.content().writer(ns, "ref-" + lease, data.length, d, Optional.of(lease));
            w.write(java.nio.ByteBuffer.wrap(data));
            return () -> {
                try (w) {
                    w.commit(data.length, d, Map.of());
                }
            };
        }));
        broken.put("snapshot prepare", hammerLeaseDeletion("prepare",
                (ns, lease, i) -> () -> snapshots.prepare(ns, "native", "active-" + lease, "", Map.of(), Optional.of(lease))));
        broken.put("snapshot commit", hammerLeaseDeletion("commit", (ns, lease, i) -> {
            snapshots.prepare(ns, "native", "extract-" + lease, "", Map.of(), Optional.empty());
            return () -> snapshots.commit(ns, "native", "layer-" + lease, "extract-" + lease, Map.of(), Optional.of(lease));
        }));
        broken.put("snapshot hold", hammerLeaseDeletion("hold", (ns, lease, i) -> {
            snapshots.prepare(ns, "native", "extract-" + lease, "", Map.of(), Optional.empty());
            snapshots.commit(ns, "native", "layer-" + lease, "extract-" + lease, Map.of(), Optional.empty());
            return () -> snapshots.hold(ns, "native", "layer-" + lease, Optional.of(lease));
        }));
        assertThat(broken).as("rounds (of %d each) that left a resource under a deleted lease", ROUNDS)
                .allSatisfy((kind, count) -> assertThat(count).as(kind).isZero());
    }

    /**
     * Per round, a fresh lease: one thread adds a resource to it while the other deletes it. The
     * add either lands before the deletion (which then removes it with the lease) or fails NotFound;
     * afterwards the deleted lease holds nothing. Returns the rounds where it still held something.
     */
    private int hammerLeaseDeletion(String kind, LeasedAddition addition) throws Exception {
        String ns = "lease-race";
        int broken = 0;
        for (int i = 0; i < ROUNDS; i++) {
            String lease = kind + "-" + i;
            t.stores.leases().create(ns, lease, Map.of());
            Runnable add = addition.prepare(ns, lease, i);
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Throwable> adderError = new AtomicReference<>();
            Thread adder = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    add.run();
                } catch (NotFoundException leaseGone) {
                    // the deletion came first: refused, as it must be
                } catch (Throwable e) {
                    adderError.set(e);
                }
            });
            start.await();
            t.stores.leases().delete(ns, lease);
            adder.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(adder.isAlive()).as("adder of round %d finished", i).isFalse();
            assertThat(adderError.get()).as("the %s add's error in round %d", kind, i).isNull();
            if (t.db.any(Family.LEASE_REFS, Keys.prefix(ns, lease))) {
                broken++;
            }
        }
        return broken;
    }

    @Test
    void aContainerCreateLandsWhollyBeforeOrAfterACollectionNeverInsideIt() throws Exception {
        String ns = "default";
        // the snapshot's only protection, a lease, expired: the next collection takes it
        LeaseRecord lease = t.stores.leases().create(ns, "expired", Map.of(LeaseRecord.EXPIRE_LABEL, "2025-01-01T00:00:00Z"));
        snapshots.prepare(ns, "native", "rootfs", "", Map.of(), Optional.of(lease.id()));

        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
        t.stores.gc().addParticipant(new ContainerGc(containers));
        // after the containers were read: what is created now, the marking does not see
        t.stores.gc().addParticipant(new PausingParticipant(paused, resume));

        Thread collection = Thread.ofPlatform().start(() -> t.stores.gc().collect());
        assertThat(paused.await(30, TimeUnit.SECONDS)).as("the collection reached its marking").isTrue();
        AtomicReference<Throwable> createError = new AtomicReference<>();
        Thread create = Thread.ofPlatform().start(() -> {
            try {
                containers.create(ns, container("web", "rootfs"));
            } catch (Throwable e) {
                createError.set(e);
            }
        });
        // let the create run as far as it can while the collection is in the middle of its work
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (create.isAlive() && create.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        boolean createdDuringCollection = !create.isAlive();
        resume.countDown();
        collection.join(TimeUnit.SECONDS.toMillis(30));
        create.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(collection.isAlive() || create.isAlive()).as("both finished").isFalse();
        assertThat(createError.get()).as("the create's error").isNull();
        assertThat(containers.find(ns, "web")).as("the container").isPresent();

        // linearisable: a create that landed inside the collection would have to be seen by it
        if (createdDuringCollection) {
            assertThat(snapshotExists(ns, "rootfs"))
                    .as("snapshot rootfs of container web, created while the collection was marking").isTrue();
        }
    }

    @Test
    void aSnapshotMadeForAContainerInItsCreateIsNotCollectedBeforeTheContainerKeepsIt() throws Exception {
        String ns = "k8s.io";
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
        t.stores.gc().addParticipant(new ContainerGc(containers));
        AtomicReference<Thread> collection = new AtomicReference<>();
        AtomicReference<Throwable> createError = new AtomicReference<>();
        // as the CRI's CreateContainer: the snapshot (no lease) first, then its record and the container's that
        // names it, in one write; a collection starts in between and must wait for the records
        Thread create = Thread.ofPlatform().start(() -> {
            try {
                snapshots.prepare(ns, "native", "rootfs", "", Map.of(), (mounts, snapshotRecord) -> {
                    collection.set(Thread.ofPlatform().start(() -> t.stores.gc().collect()));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (collection.get().isAlive() && collection.get().getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    return containers.create(ns, container("web", "rootfs"), snapshotRecord);
                });
            } catch (Throwable e) {
                createError.set(e);
            }
        });
        create.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(create.isAlive()).as("the create finished").isFalse();
        assertThat(createError.get()).as("the create's error").isNull();
        collection.get().join(TimeUnit.SECONDS.toMillis(30));
        assertThat(collection.get().isAlive()).as("the collection finished").isFalse();
        assertThat(containers.find(ns, "web")).as("the container").isPresent();
        assertThat(snapshotExists(ns, "rootfs")).as("snapshot rootfs of container web, after a collection that began before its record").isTrue();
    }

    private boolean snapshotExists(String ns, String key) {
        try {
            snapshots.stat(ns, "native", key);
            return t.db.get(Family.SNAPSHOTS, Keys.of(ns, "native", key)) != null;
        } catch (NotFoundException gone) {
            return false;
        }
    }

    /** Holds a collection in the middle of its marking until the test lets it go on. */
    private record PausingParticipant(CountDownLatch paused, CountDownLatch resume) implements GcParticipant {
        @Override
        public void roots(Consumer<GcRef> out) {
            paused.countDown();
            try {
                resume.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void references(GcRef node, Consumer<GcRef> out) {
        }

        @Override
        public int sweep(Set<GcRef> marked) {
            return 0;
        }
    }
}
