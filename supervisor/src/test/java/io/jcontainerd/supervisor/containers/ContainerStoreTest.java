package io.jcontainerd.supervisor.containers;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerStoreTest {
    @TempDir
    Path dir;
    MetadataStore db;
    ContainerStore store;

    static final Opaque SPEC = new Opaque("types.containerd.io/opencontainers/runtime-spec/1/Spec",
            "{\"ociVersion\":\"1.0.2\"}".getBytes(StandardCharsets.UTF_8));

    static ContainerRecord container(String id) {
        return new ContainerRecord(id, Map.of("app", "web"), "docker.io/library/busybox:latest", "io.containerd.runc.v2",
                new Opaque("containerd.runc.v1.Options", new byte[]{8, 1}), SPEC, "overlayfs", id, Map.of(), "", null, null);
    }

    @BeforeEach
    void open() {
        db = MetadataStore.open(dir.resolve("meta"));
        store = new ContainerStore(db, new NamespaceStore(db), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void storesOpaquePayloadsByteForByteAndStampsTimes() {
        store.create("default", container("web1"));
        ContainerRecord got = store.get("default", "web1");
        assertThat(got.spec()).isEqualTo(SPEC);
        assertThat(got.runtimeOptions().value()).containsExactly(8, 1);
        assertThat(got.createdAt()).isNotNull().isEqualTo(got.updatedAt());
    }

    @Test
    void tellsWhetherAContainerOfTheNamespaceUsesASnapshot() {
        ContainerRecord c = container("web1");
        store.create("default", new ContainerRecord("web1", Map.of(), "", c.runtimeName(), null, c.spec(), "overlayfs", "web1",
                Map.of(), "", null, null));
        store.create("default", new ContainerRecord("db", Map.of(), "", c.runtimeName(), null, c.spec(), "overlayfs", "db-rootfs",
                Map.of(), "", null, null));

        assertThat(store.usesSnapshot("default", "overlayfs", "web1")).isTrue();
        assertThat(store.usesSnapshot("default", "overlayfs", "db-rootfs")).isTrue();
        assertThat(store.usesSnapshot("default", "native", "web1")).isFalse();
        assertThat(store.usesSnapshot("other", "overlayfs", "web1")).isFalse();
        store.delete("default", "web1");
        assertThat(store.usesSnapshot("default", "overlayfs", "web1")).isFalse();
    }

    @Test
    void enforcesContainerdsRules() {
        store.create("default", container("web1"));
        assertThatThrownBy(() -> store.create("default", container("web1"))).isInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining("container web1 in namespace default");
        assertThatThrownBy(() -> store.create("default", container("bad/id"))).isInstanceOf(InvalidArgumentException.class);
        ContainerRecord noRuntime = new ContainerRecord("x", Map.of(), "", "", null, SPEC, "", "", Map.of(), "", null, null);
        assertThatThrownBy(() -> store.create("default", noRuntime)).hasMessageContaining("runtime name must be set");
        ContainerRecord noSpec = new ContainerRecord("x", Map.of(), "", "r", null, null, "", "", Map.of(), "", null, null);
        assertThatThrownBy(() -> store.create("default", noSpec)).hasMessageContaining("spec must be set");
        ContainerRecord keyOnly = new ContainerRecord("x", Map.of(), "", "r", null, SPEC, "", "k", Map.of(), "", null, null);
        assertThatThrownBy(() -> store.create("default", keyOnly)).hasMessageContaining("no snapshotter");
        assertThatThrownBy(() -> store.get("default", "nope")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void namespacesAreSeparateAndFiltersWork() {
        store.create("a", container("one"));
        store.create("b", container("one"));
        store.create("a", new ContainerRecord("two", Map.of("app", "db"), "img2", "io.containerd.runc.v2", null, SPEC, "", "",
                Map.of(), "", null, null));
        assertThat(store.list("a", Filter.ALWAYS)).extracting(ContainerRecord::id).containsExactly("one", "two");
        assertThat(store.list("a", FilterParser.parse("labels.app==db"))).extracting(ContainerRecord::id).containsExactly("two");
        assertThat(store.list("a", FilterParser.parse("image==img2,runtime.name==io.containerd.runc.v2"))).hasSize(1);
        store.delete("a", "one");
        assertThat(store.find("a", "one")).isEmpty();
        assertThat(store.find("b", "one")).isPresent();
    }

    @Test
    void updatesByMaskAndKeepsImmutableFields() {
        store.create("default", container("web1"));
        ContainerRecord change = new ContainerRecord("web1", Map.of("app", "", "tier", "front"), "other", "", null, null, "",
                "", Map.of(), "", null, null);
        ContainerRecord u = store.update("default", change, List.of("labels.app", "labels.tier", "image"));
        assertThat(u.labels()).isEqualTo(Map.of("tier", "front"));
        assertThat(u.image()).isEqualTo("other");
        assertThat(u.spec()).isEqualTo(SPEC);
        ContainerRecord otherSnapshotter = new ContainerRecord("web1", Map.of(), "", "", null, null, "native", "", Map.of(), "", null, null);
        assertThatThrownBy(() -> store.update("default", otherSnapshotter, List.of("labels")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("snapshotter cannot change");
        assertThatThrownBy(() -> store.update("default", change, List.of("runtime")))
                .hasMessageContaining("cannot update runtime");
    }

    @Test
    void readsAlwaysGiveWhatIsStoredNowThoughRecordsAreDecodedOnce() {
        store.create("default", container("web1"));
        ContainerRecord first = store.get("default", "web1");
        assertThat(store.get("default", "web1")).isSameAs(first); // decoded once, served again while unchanged

        store.update("default", new ContainerRecord("web1", Map.of("app", "api"), "", "", null, null, "", "", Map.of(), "", null, null),
                List.of("labels.app"));
        assertThat(store.get("default", "web1").labels()).isEqualTo(Map.of("app", "api"));

        // a change another store wrote to the same database (as the collector's or a second service's) is seen too
        ContainerStore other = new ContainerStore(db, new NamespaceStore(db), Clock.systemUTC());
        other.update("default", new ContainerRecord("web1", Map.of(), "img3", "", null, null, "", "", Map.of(), "", null, null),
                List.of("image"));
        assertThat(store.get("default", "web1").image()).isEqualTo("img3");

        store.delete("default", "web1");
        assertThat(store.find("default", "web1")).isEmpty();
        store.create("default", new ContainerRecord("web1", Map.of(), "again", "io.containerd.runc.v2", null, SPEC, "", "",
                Map.of(), "", null, null));
        assertThat(store.get("default", "web1").image()).isEqualTo("again");
        assertThat(store.find("other", "web1")).isEmpty();
    }
}
