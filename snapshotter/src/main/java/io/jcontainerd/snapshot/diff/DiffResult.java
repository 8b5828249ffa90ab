package io.jcontainerd.snapshot.diff;

/**
 * A layer written by {@link Differ#compare}.
 *
 * @param digest    "sha256:..." of the bytes written (the blob as stored in the content store)
 * @param size      bytes written
 * @param diffId    "sha256:..." of the uncompressed tar stream
 * @param mediaType the OCI media type of what was written
 */
public record DiffResult(String digest, long size, String diffId, String mediaType) {
}
