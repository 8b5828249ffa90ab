package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.content.NamespacedWriter;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/** A temporary RocksDB, a local content store and the collected stores over them, for unit tests. */
public final class TestStores implements AutoCloseable {
    public final MetadataStore db;
    public final NamespaceStore namespaces;
    public final LocalContentStore backend;
    public final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final CollectedStores stores;

    public TestStores(Path dir) {
        db = MetadataStore.open(dir.resolve("meta"));
        namespaces = new NamespaceStore(db);
        backend = LocalContentStore.open(dir.resolve("content"));
        stores = CollectedStores.open(db, namespaces, backend, clock);
    }

    /** Writes and commits {@code text} in {@code ns} with labels, under the lease if given. */
    public ContentInfo put(String ns, String text, Map<String, String> labels, Optional<String> lease) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.of(data);
        try (NamespacedWriter w = stores.content().writer(ns, "ref-" + d.hex(), data.length, d, lease)) {
            w.write(ByteBuffer.wrap(data));
            return w.commit(data.length, d, labels);
        }
    }

    public ContentInfo put(String ns, String text) {
        return put(ns, text, Map.of(), Optional.empty());
    }

    public boolean blobOnDisk(Digest d) {
        return java.nio.file.Files.exists(backend.blobPath(d));
    }

    @Override
    public void close() {
        stores.close();
        db.close();
    }

    /** A clock tests move by hand. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        public void set(Instant instant) {
            now = instant;
        }

        public void advanceSeconds(long s) {
            now = now.plusSeconds(s);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
