package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

import java.time.Instant;
import java.util.Optional;

/**
 * The state of an ingest (an unfinished write), as containerd's content.Status.
 *
 * @param total    the size announced by the writer, 0 if unknown
 * @param expected the digest announced by the writer, null if unknown
 */
public record IngestStatus(String ref, long offset, long total, Digest expected, Instant startedAt, Instant updatedAt) {

    public Optional<Digest> findExpected() {
        return Optional.ofNullable(expected);
    }
}
