package io.jcontainerd.snapshot.apply;

/**
 * The result of applying a layer.
 *
 * @param digest "sha256:&lt;hex&gt;" of the uncompressed tar stream: the layer's diff ID
 * @param size   bytes of the uncompressed tar stream
 */
public record Applied(String digest, long size) {
}
