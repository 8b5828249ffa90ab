package io.jcontainerd.supervisor.content;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.supervisor.metadata.DecodedRecords;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Json;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The CONTENT family: {@code <ns> NUL <digest>} → the namespace's record of a blob. A blob is
 * visible in a namespace only while this record exists, whatever the backend holds.
 */
public final class ContentRecords {
    /** Decoded records kept at most (a busybox run reads ~4 blobs' records 10 times; an image is a few dozen). */
    static final int DECODED_MAX = 1024;
    private final MetadataStore db;
    /**
     * Each record decoded once per stored value: a read of the same bytes skips decoding JSON, a digest and
     * two instants again (~8 % of the daemon's CPU in 20 parallel `ctr run -d`: each reads the image's
     * blobs' records ten times). ContentInfo is immutable.
     */
    private final DecodedRecords<ContentInfo> decoded = new DecodedRecords<>(DECODED_MAX);

    public ContentRecords(MetadataStore db) {
        this.db = db;
    }

    public Optional<ContentInfo> find(String ns, Digest digest) {
        byte[] v = db.get(Family.CONTENT, key(ns, digest));
        if (v == null) return Optional.empty();
        return Optional.of(decoded.get(ns + '\0' + digest, v, stored -> Json.read(stored, Stored.class).toInfo()));
    }

    public boolean exists(String ns, Digest digest) {
        return db.get(Family.CONTENT, key(ns, digest)) != null;
    }

    public void put(MetadataStore.Batch batch, String ns, ContentInfo info) {
        batch.put(Family.CONTENT, key(ns, info.digest()), Json.write(Stored.of(info)));
    }

    public void delete(MetadataStore.Batch batch, String ns, Digest digest) {
        batch.delete(Family.CONTENT, key(ns, digest));
    }

    /** The records of one namespace, in digest order. */
    public void forEach(String ns, java.util.function.Consumer<ContentInfo> visitor) {
        db.scan(Family.CONTENT, Keys.prefix(ns), (k, v) -> visitor.accept(Json.read(v, Stored.class).toInfo()));
    }

    /** Every record of every namespace, for the garbage collector. */
    public void forEach(BiConsumer<String, ContentInfo> visitor) {
        db.scan(Family.CONTENT, new byte[0], (k, v) -> visitor.accept(Keys.split(k).getFirst(), Json.read(v, Stored.class).toInfo()));
    }

    private static byte[] key(String ns, Digest digest) {
        return Keys.of(ns, digest.toString());
    }

    /** The stored form: instants as ISO-8601 text (the metadata JSON has no java.time module). */
    private record Stored(String digest, long size, Map<String, String> labels, String createdAt, String updatedAt) {
        static Stored of(ContentInfo i) {
            return new Stored(i.digest().toString(), i.size(), i.labels(), i.createdAt().toString(), i.updatedAt().toString());
        }

        ContentInfo toInfo() {
            return new ContentInfo(Digest.parse(digest), size, labels, Instant.parse(createdAt), Instant.parse(updatedAt));
        }
    }
}
