package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.supervisor.gc.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lease of a snapshot call must exist, as containerd's metadata requires: a snapshot made
 * under a deleted or expired lease would be held by nothing and collected under its client.
 */
class SnapshotLeasesTest {
    private static final String NS = "leased";

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
        drivers = new SnapshotterSet().add("native", driver);
        snapshots = new NamespacedSnapshots(drivers, t.db, t.namespaces);
        t.stores.gc().addParticipant(new SnapshotGc(snapshots, drivers, t.db));
    }

    @AfterEach
    void close() {
        drivers.close();
        t.close();
    }

    @Test
    void aSnapshotIsNeitherMadeNorCommittedNorHeldUnderALeaseThatDoesNotExist() {
        String deleted = t.stores.leases().create(NS, "deleted", Map.of()).id();
        t.stores.leases().delete(NS, deleted);

        assertThatThrownBy(() -> snapshots.prepare(NS, "native", "work", "", Map.of(), Optional.of(deleted)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("lease deleted in namespace leased: not found");
        assertThat(backendNames()).as("the driver's snapshots").isEmpty();

        snapshots.prepare(NS, "native", "work", "", Map.of(), Optional.empty());
        assertThatThrownBy(() -> snapshots.commit(NS, "native", "layer", "work", Map.of(), Optional.of(deleted)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("lease deleted");
        assertThat(snapshots.stat(NS, "native", "work").kind()).as("the snapshot the commit left").isEqualTo(Kind.ACTIVE);

        snapshots.commit(NS, "native", "layer", "work", Map.of(), Optional.empty());
        assertThatThrownBy(() -> snapshots.hold(NS, "native", "layer", Optional.of(deleted)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("lease deleted");
    }

    @Test
    void aSnapshotMadeUnderALeaseIsCollectedOnlyOnceTheLeaseIsDeleted() {
        String lease = t.stores.leases().create(NS, "work", Map.of()).id();
        snapshots.prepare(NS, "native", "work", "", Map.of(), Optional.of(lease));
        snapshots.commit(NS, "native", "layer", "work", Map.of(), Optional.of(lease));

        t.stores.gc().collect();
        assertThat(backendNames()).containsExactly(NS + "/layer");

        t.stores.leases().delete(NS, lease);
        t.stores.gc().collect();
        assertThat(backendNames()).isEmpty();
    }

    private List<String> backendNames() {
        List<String> names = new ArrayList<>();
        driver.walk(i -> names.add(i.name()));
        return names;
    }
}
