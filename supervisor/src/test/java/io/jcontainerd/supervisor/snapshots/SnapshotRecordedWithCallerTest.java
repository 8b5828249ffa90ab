package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.supervisor.containers.ContainerGc;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A snapshot whose record its caller writes with records of its own (the CRI's container and its rootfs
 * snapshot, one synced write): both records or neither, and never a driver snapshot left that a failed
 * create made.
 */
class SnapshotRecordedWithCallerTest {
    private static final String NS = "k8s.io";
    private static final Opaque SPEC = new Opaque("types.containerd.io/opencontainers/runtime-spec/1/Spec",
            "{\"ociVersion\":\"1.0.2\"}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;
    TestStores t;
    NativeSnapshotter driver;
    SnapshotterSet drivers;
    NamespacedSnapshots snapshots;
    ContainerStore containers;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        driver = new NativeSnapshotter(dir.resolve("native"));
        drivers = new SnapshotterSet().add("native", driver);
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        containers = new ContainerStore(t.db, t.namespaces, t.clock);
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
        t.stores.gc().addParticipant(new ContainerGc(containers));
    }

    @AfterEach
    void close() {
        drivers.close();
        t.close();
    }

    private static ContainerRecord container(String id, String runtime) {
        return new ContainerRecord(id, Map.of(), "", runtime, null, SPEC, "native", id, Map.of(), "", null, null);
    }

    private boolean recorded(String key) {
        return t.db.get(Family.SNAPSHOTS, Keys.of(NS, "native", key)) != null;
    }

    private List<String> driverSnapshots() {
        List<String> names = new ArrayList<>();
        driver.walk(i -> names.add(i.name()));
        return names;
    }

    @Test
    void theContainerAndItsSnapshotAreStoredTogetherOnTheParentsLayers() {
        snapshots.prepare(NS, "native", "base-active", "", Map.of(), Optional.empty());
        snapshots.commit(NS, "native", "base", "base-active", Map.of(), Optional.empty());

        ContainerRecord made = snapshots.prepare(NS, "native", "web", "base", Map.of(),
                (mounts, snapshotRecord) -> {
                    assertThat(mounts).as("the new snapshot's mounts, given before any record is written").isNotEmpty();
                    assertThat(recorded("web")).as("its record before the caller's write").isFalse();
                    return containers.create(NS, container("web", "io.containerd.runc.v2"), snapshotRecord);
                });

        assertThat(made.id()).isEqualTo("web");
        assertThat(containers.find(NS, "web")).as("the container").isPresent();
        assertThat(snapshots.stat(NS, "native", "web").parent()).as("the snapshot's parent").isEqualTo("base");
        t.stores.gc().collect();
        assertThat(snapshots.stat(NS, "native", "web").name()).as("the snapshot, kept by the container after a collection").isEqualTo("web");
    }

    @Test
    void aContainerRecordThatFailsToWriteLeavesNeitherRecordNorSnapshot() {
        // no runtime name: the container store refuses the record before its write
        assertThatThrownBy(() -> snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", ""), snapshotRecord)))
                .isInstanceOf(JcdException.class).hasMessageContaining("runtime name must be set");

        assertThat(containers.find(NS, "web")).as("the container").isEmpty();
        assertThat(recorded("web")).as("the snapshot's record").isFalse();
        assertThat(driverSnapshots()).as("the driver's snapshots").isEmpty();
        assertThatThrownBy(() -> snapshots.stat(NS, "native", "web")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aCallerThatDoesNotWriteTheSnapshotsRecordFailsAndLeavesNoSnapshot() {
        assertThatThrownBy(() -> snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", "io.containerd.runc.v2"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("its record was not written");

        assertThat(recorded("web")).as("the snapshot's record").isFalse();
        assertThat(driverSnapshots()).as("the driver's snapshots").isEmpty();
    }

    @Test
    void aKeyThatIsRecordedAlreadyIsRefusedAndKeepsItsSnapshot() {
        snapshots.prepare(NS, "native", "web", "", Map.of(), Optional.empty());

        assertThatThrownBy(() -> snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", "io.containerd.runc.v2"), snapshotRecord)))
                .isInstanceOf(JcdException.class).hasMessageContaining("already exists");

        assertThat(containers.find(NS, "web")).as("the container").isEmpty();
        assertThat(driverSnapshots()).as("the driver's snapshots").containsExactly(NS + "/web");
    }

    @Test
    void aCrashBeforeTheWriteLeavesASnapshotNoClientSeesAndTheNextCollectionRemoves() {
        // what a crash between the driver's snapshot and the caller's write leaves: the driver's snapshot only
        driver.prepare(NS + "/web", "", Map.of());

        assertThatThrownBy(() -> snapshots.stat(NS, "native", "web")).isInstanceOf(NotFoundException.class);
        List<String> seen = new ArrayList<>();
        snapshots.walk(NS, "native", i -> seen.add(i.name()));
        assertThat(seen).as("the namespace's snapshots as a client lists them").isEmpty();
        t.stores.gc().collect();
        assertThat(driverSnapshots()).as("the driver's snapshots after a collection").isEmpty();
        // and the key can be made again, with its record
        snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", "io.containerd.runc.v2"), snapshotRecord));
        assertThat(recorded("web")).isTrue();
    }

    @Test
    void aContainerAndItsSnapshotAreRemovedTogether() {
        snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", "io.containerd.runc.v2"), snapshotRecord));

        snapshots.remove(NS, "native", "web", snapshotRecord -> {
            assertThat(driverSnapshots()).as("the driver's snapshots before the caller's write").isEmpty();
            containers.delete(NS, "web", snapshotRecord);
            return null;
        });

        assertThat(containers.find(NS, "web")).as("the container").isEmpty();
        assertThat(recorded("web")).as("the snapshot's record").isFalse();
        t.stores.gc().collect();
        assertThat(driverSnapshots()).as("the driver's snapshots").isEmpty();
        t.namespaces.delete(NS);
    }

    @Test
    void aRemovalWhoseCallerFailsLeavesARecordTheNextCollectionDrops() {
        snapshots.prepare(NS, "native", "web", "", Map.of(),
                (mounts, snapshotRecord) -> containers.create(NS, container("web", "io.containerd.runc.v2"), snapshotRecord));

        // the container is not there: its deletion fails NotFound, after the driver's snapshot went
        assertThatThrownBy(() -> snapshots.remove(NS, "native", "web", snapshotRecord -> {
            containers.delete(NS, "other", snapshotRecord);
            return null;
        })).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> snapshots.remove(NS, "native", "web", snapshotRecord -> null))
                .as("a caller that does not delete the record").isInstanceOf(IllegalStateException.class);

        assertThat(containers.find(NS, "web")).as("the container, not deleted").isPresent();
        assertThat(driverSnapshots()).as("the driver's snapshots").isEmpty();
        containers.delete(NS, "web");
        t.stores.gc().collect();
        assertThat(recorded("web")).as("the record of the snapshot that is gone, after a collection").isFalse();
        t.namespaces.delete(NS);
    }
}
