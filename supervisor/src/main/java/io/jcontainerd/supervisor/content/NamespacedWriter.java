package io.jcontainerd.supervisor.content;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.ContentWriter;
import io.jcontainerd.content.store.IngestStatus;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

/**
 * One open ingest of a namespace. Closing without committing keeps the data, so a later writer on
 * the same ref resumes at {@link #offset()}. One thread at a time.
 */
public final class NamespacedWriter implements AutoCloseable {
    private final NamespacedContentStore store;
    private final String namespace;
    private final String ref;
    private final ContentWriter backend;
    private final Optional<String> lease;
    private Digest digestBeforeCommit;

    NamespacedWriter(NamespacedContentStore store, String namespace, String ref, ContentWriter backend, Optional<String> lease) {
        this.store = store;
        this.namespace = namespace;
        this.ref = ref;
        this.backend = backend;
        this.lease = lease;
    }

    public String ref() {
        return ref;
    }

    public long offset() {
        return backend.offset();
    }

    public Digest digest() {
        return backend.digest();
    }

    /** The ingest's state, under the namespace's own ref. */
    public IngestStatus status() {
        return NamespacedContentStore.withRef(backend.status(), ref);
    }

    public void write(ByteBuffer data) {
        backend.write(data);
    }

    public void truncate(long size) {
        backend.truncate(size);
    }

    /**
     * Verifies size (when > 0) and digest (when non-null), publishes the blob and records it in the
     * namespace with {@code labels}, leased to the writer's lease. AlreadyExists if the namespace had it.
     */
    public ContentInfo commit(long size, Digest expected, Map<String, String> labels) {
        digestBeforeCommit = backend.digest();
        return store.commit(this, size, expected, labels);
    }

    @Override
    public void close() {
        backend.close();
    }

    String namespace() {
        return namespace;
    }

    Optional<String> lease() {
        return lease;
    }

    ContentWriter backend() {
        return backend;
    }

    Digest digestBeforeCommit() {
        return digestBeforeCommit;
    }
}
