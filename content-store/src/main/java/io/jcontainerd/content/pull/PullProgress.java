package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Descriptor;

/**
 * One progress event of a pull.
 *
 * @param ref    the ingest ref ("layer-sha256:…"), or the image reference while resolving
 * @param blob   the blob, null while resolving
 * @param offset bytes of the blob in the store so far (resumed bytes included)
 * @param total  the blob's size, 0 while resolving
 */
public record PullProgress(String ref, Descriptor blob, PullPhase phase, long offset, long total) {
}
