package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

/** Writes new content. */
public interface Ingester {

    /**
     * Opens (or resumes) the ingest named ref. A blob already committed under {@code expected}
     * is AlreadyExists; a ref another writer holds is Unavailable (retry later).
     *
     * @param total    the size if known, else 0
     * @param expected the digest if known, else null
     */
    ContentWriter writer(String ref, long total, Digest expected);
}
