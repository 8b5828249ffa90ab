package io.jcontainerd.supervisor.leases;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeaseStoreTest {
    @TempDir
    Path dir;
    TestStores t;
    LeaseStore leases;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        leases = t.stores.leases();
    }

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void createsWithTheGivenIdAndLabelsAndRefusesADuplicate() {
        LeaseRecord l = leases.create("ns", "moby-image-sha256:abc", Map.of("containerd.io/gc.expire", "2099-01-01T00:00:00Z"));

        assertThat(l.createdAt()).isEqualTo(t.clock.instant());
        assertThat(leases.get("ns", "moby-image-sha256:abc").labels()).containsEntry("containerd.io/gc.expire", "2099-01-01T00:00:00Z");
        assertThatThrownBy(() -> leases.create("ns", "moby-image-sha256:abc", Map.of()))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("moby-image-sha256:abc");
        assertThat(leases.create("other", "moby-image-sha256:abc", Map.of()).id()).isEqualTo("moby-image-sha256:abc");
    }

    @Test
    void anEmptyIdGetsAGeneratedOne() {
        String a = leases.create("ns", "", Map.of()).id();
        String b = leases.create("ns", "", Map.of()).id();

        assertThat(a).matches("\\d+-[A-Za-z0-9]{4}").isNotEqualTo(b);
    }

    @Test
    void resourcesAreAddedListedAndRemoved() {
        leases.create("ns", "l", Map.of());
        LeaseResource content = new LeaseResource("content", "sha256:" + "1".repeat(64));
        LeaseResource snapshot = new LeaseResource("snapshots/overlayfs", "extract 1");
        LeaseResource ingest = new LeaseResource("ingests", "layer-sha256:1");
        leases.addResource("ns", "l", content);
        leases.addResource("ns", "l", snapshot);
        leases.addResource("ns", "l", ingest);
        leases.addResource("ns", "l", content);

        assertThat(leases.listResources("ns", "l")).containsExactlyInAnyOrder(content, snapshot, ingest);
        leases.deleteResource("ns", "l", snapshot);
        leases.deleteResource("ns", "l", snapshot);
        assertThat(leases.listResources("ns", "l")).containsExactlyInAnyOrder(content, ingest);
        assertThatThrownBy(() -> leases.addResource("ns", "missing", content)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void unknownResourceTypesAndNonDigestContentIdsAreInvalidArguments() {
        assertThatThrownBy(() -> new LeaseResource("containers", "c1"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("containers");
        assertThatThrownBy(() -> new LeaseResource("content", "not-a-digest")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new LeaseResource("snapshots/", "k")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void deleteRemovesTheLeaseWithItsResourcesAndAMissingOneIsNotFound() {
        leases.create("ns", "l", Map.of());
        leases.addResource("ns", "l", new LeaseResource("ingests", "r"));

        leases.delete("ns", "l");

        assertThat(leases.find("ns", "l")).isEmpty();
        assertThat(leases.resources("ns", "l")).isEmpty();
        assertThatThrownBy(() -> leases.delete("ns", "l")).isInstanceOf(NotFoundException.class).hasMessageContaining("not found");
    }

    @Test
    void deleteReturnsTheResourcesOfTheLeaseThatStillExist() {
        String ns = "ns";
        leases.create(ns, "empty", Map.of());
        leases.create(ns, "gone", Map.of());
        leases.addResource(ns, "gone", new LeaseResource("snapshots/overlayfs", "removed before its lease"));
        leases.addResource(ns, "gone", new LeaseResource("content", "sha256:" + "2".repeat(64)));
        leases.create(ns, "snapshot", Map.of());
        LeaseResource snapshot = new LeaseResource("snapshots/overlayfs", "still here");
        leases.addResource(ns, "snapshot", snapshot);
        t.db.put(Family.SNAPSHOTS, Keys.of(ns, "overlayfs", "still here"), new byte[]{'{', '}'});
        leases.create(ns, "content", Map.of());
        ContentInfo blob = t.put(ns, "held by a lease", Map.of(), Optional.of("content"));
        leases.create(ns, "ingest", Map.of());
        LeaseResource ingest = new LeaseResource("ingests", "layer-1");
        leases.addResource(ns, "ingest", ingest);

        assertThat(leases.delete(ns, "empty")).isEmpty();
        assertThat(leases.delete(ns, "gone")).isEmpty();
        assertThat(leases.delete(ns, "snapshot")).containsExactly(snapshot);
        assertThat(leases.delete(ns, "content")).containsExactly(LeaseResource.content(blob.digest()));
        assertThat(leases.delete(ns, "ingest")).containsExactly(ingest);
        assertThat(t.stores.content().exists(ns, blob.digest())).isTrue();
    }

    @Test
    void listFiltersByIdAndLabels() {
        leases.create("ns", "a", Map.of("team", "x"));
        leases.create("ns", "b", Map.of("team", "y"));
        leases.create("other", "c", Map.of("team", "x"));

        assertThat(leases.list("ns", FilterParser.parse("labels.team==x"))).extracting(LeaseRecord::id).containsExactly("a");
        assertThat(leases.list("ns", FilterParser.parse("id==b"))).extracting(LeaseRecord::id).containsExactly("b");
        assertThat(leases.list("ns", FilterParser.parse(""))).extracting(LeaseRecord::id).containsExactly("a", "b");
    }
}
