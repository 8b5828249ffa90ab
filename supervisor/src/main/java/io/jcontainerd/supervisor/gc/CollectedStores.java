package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.leases.LeaseStore;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Clock;

/**
 * The stores whose references the garbage collector follows, wired around the collection lock of
 * {@link NamespaceStore#locks()}: their changes take its read side, the collector its write side.
 */
public record CollectedStores(LeaseStore leases, NamespacedContentStore content, ImageStore images, GarbageCollector gc)
        implements AutoCloseable {

    public static CollectedStores open(MetadataStore db, NamespaceStore namespaces, ContentStore backend, Clock clock) {
        LeaseStore leases = new LeaseStore(db, namespaces, clock);
        NamespacedContentStore content = new NamespacedContentStore(db, namespaces, backend, leases, clock);
        ImageStore images = new ImageStore(db, namespaces, clock);
        GarbageCollector gc = new GarbageCollector(db, content.records(), backend, images, leases,
                namespaces.locks().collection(), clock);
        return new CollectedStores(leases, content, images, gc);
    }

    /** Stops the background collector. */
    @Override
    public void close() {
        gc.close();
    }
}
