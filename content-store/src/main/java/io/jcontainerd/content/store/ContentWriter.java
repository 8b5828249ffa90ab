package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One open ingest. Not thread-safe: one writer thread at a time. Closing without committing keeps
 * the data so a later writer on the same ref resumes at {@link #offset()}.
 */
public interface ContentWriter extends AutoCloseable {

    String ref();

    /** Bytes written so far (the resume point). */
    long offset();

    void write(ByteBuffer data);

    default void write(byte[] data, int off, int len) {
        write(ByteBuffer.wrap(data, off, len));
    }

    /** The digest of the bytes written so far. */
    Digest digest();

    IngestStatus status();

    /** Drops everything after {@code size} bytes (0 restarts the ingest). */
    void truncate(long size);

    /**
     * Verifies and publishes the blob atomically: a reader sees all of it or nothing.
     * A size (if > 0) or digest (if non-null, else the writer's expected) that does not match is
     * FailedPrecondition; a digest mismatch also discards the ingest. A blob that already exists
     * is AlreadyExists, and the ingest is discarded.
     */
    Digest commit(long size, Digest expected);

    /** This writer as an OutputStream (close() on it closes the writer without committing). */
    OutputStream asOutputStream();

    @Override
    void close();
}
