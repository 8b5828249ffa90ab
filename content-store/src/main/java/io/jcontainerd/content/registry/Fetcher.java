package io.jcontainerd.content.registry;

import io.jcontainerd.content.image.Descriptor;

import java.io.InputStream;

/** Streams the content of a descriptor from one repository. */
public interface Fetcher {

    /**
     * All of the blob, verified while streaming: reading past the end throws FailedPrecondition if
     * the bytes do not hash to the descriptor's digest, or if there are more bytes than its size.
     */
    InputStream fetch(Descriptor desc);

    /**
     * The blob from {@code offset} on (HTTP Range), e.g. to resume an ingest, never more than the
     * descriptor's size. The digest is NOT checked here: the caller verifies (the content writer does
     * on commit, so a puller does not hash every byte twice). Broken connections are resumed from
     * the last byte received, within the retry policy.
     */
    InputStream fetch(Descriptor desc, long offset);
}
