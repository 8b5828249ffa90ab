package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.leases.LeaseStore;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Clock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The stores whose references the garbage collector follows, wired around one collection lock:
 * their changes take its read side, the collector its write side.
 */
public record CollectedStores(LeaseStore leases, NamespacedContentStore content, ImageStore images, GarbageCollector gc)
        implements AutoCloseable {

    public static CollectedStores open(MetadataStore db, NamespaceStore namespaces, ContentStore backend, Clock clock) {
        return open(db, namespaces, backend, clock, new ReentrantReadWriteLock());
    }

    /**
     * As {@link #open(MetadataStore, NamespaceStore, ContentStore, Clock)}, sharing {@code collection}
     * with other stores whose writes the collector must not interleave with (snapshots).
     */
    public static CollectedStores open(MetadataStore db, NamespaceStore namespaces, ContentStore backend, Clock clock,
                                       ReadWriteLock collection) {
        LeaseStore leases = new LeaseStore(db, namespaces, collection, clock);
        NamespacedContentStore content = new NamespacedContentStore(db, namespaces, backend, leases, collection, clock);
        ImageStore images = new ImageStore(db, namespaces, collection, clock);
        GarbageCollector gc = new GarbageCollector(db, content.records(), backend, images, leases, collection, clock);
        return new CollectedStores(leases, content, images, gc);
    }

    /** Stops the background collector. */
    @Override
    public void close() {
        gc.close();
    }
}
