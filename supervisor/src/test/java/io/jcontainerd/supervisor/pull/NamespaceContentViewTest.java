package io.jcontainerd.supervisor.pull;

import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.leases.LeaseResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pull that finds a blob present skips its download (the puller asks {@code info}); from that
 * moment the blob must be held by the pull's lease. The case that failed CI: after a crash the
 * daemon releases the dead pull's lease, the next pull finds that pull's blobs still recorded, and
 * the start-up collection took them before the new image record protected them.
 */
class NamespaceContentViewTest {
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

    @Test
    void aBlobFoundPresentIsHeldByThePullsLeaseThroughACollection() {
        t.stores.leases().create("default", "dead-pull", Map.of());
        ContentInfo layer = t.put("default", "a layer of a pull that died", Map.of(), Optional.of("dead-pull"));
        t.stores.leases().create("default", "next-pull", Map.of());
        NamespaceContentView view = new NamespaceContentView(t.stores.content(), "default", "next-pull", d -> { });

        assertThat(view.info(layer.digest()).size()).isEqualTo(layer.size());
        t.stores.leases().delete("default", "dead-pull");
        t.stores.gc().collect();

        assertThat(t.stores.content().exists("default", layer.digest())).as("the blob the next pull found").isTrue();
        assertThat(t.blobOnDisk(layer.digest())).isTrue();
        assertThat(t.stores.leases().resources("default", "next-pull"))
                .contains(LeaseResource.content(layer.digest()));
    }

    @Test
    void aBlobTheNamespaceDoesNotRecordIsNotFoundAndLeasesNothing() {
        ContentInfo elsewhere = t.put("other", "only in another namespace");
        t.stores.leases().create("default", "pull", Map.of());
        NamespaceContentView view = new NamespaceContentView(t.stores.content(), "default", "pull", d -> { });

        assertThatThrownBy(() -> view.info(elsewhere.digest())).isInstanceOf(NotFoundException.class)
                .hasMessageContaining(elsewhere.digest().toString()).hasMessageContaining("namespace default");
        assertThat(t.stores.leases().resources("default", "pull")).isEmpty();
    }
}
