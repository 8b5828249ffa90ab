package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

import java.io.InputStream;

/** Reads committed content. Missing blobs are NotFound naming the digest. */
public interface Provider {

    ReaderAt readerAt(Digest digest);

    /** A stream of the blob from the given offset (0 for all of it). */
    InputStream open(Digest digest, long offset);

    Info info(Digest digest);
}
