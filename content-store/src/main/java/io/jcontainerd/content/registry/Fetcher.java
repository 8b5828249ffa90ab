package io.jcontainerd.content.registry;

import io.jcontainerd.content.image.Descriptor;

import java.io.InputStream;

/** Streams the content of a descriptor from one repository. */
public interface Fetcher {

    /**
     * All of the blob, verified while streaming: reading past the end throws FailedPrecondition if
     * the bytes do not hash to the descriptor's digest, or if there are more bytes than its size.
     */
    default InputStream fetch(Descriptor desc) {
        return fetch(desc, 0);
    }

    /**
     * The blob from {@code offset} on (HTTP Range), e.g. to resume an ingest. Only a stream from
     * offset 0 can check the digest; callers resuming must verify (the content writer does on commit).
     * Broken connections are resumed from the last byte received, within the retry policy.
     */
    InputStream fetch(Descriptor desc, long offset);
}
