package io.jcontainerd.content.push;

import io.jcontainerd.content.image.Descriptor;

import java.io.InputStream;

/** Where a push reads blobs from (a content store, the daemon's Content service): a fresh stream of the blob's bytes at each call. */
@FunctionalInterface
public interface BlobSource {
    InputStream open(Descriptor blob);
}
