package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.image.Platform;

/**
 * One platform's image of a pull: its manifest and config, all blobs in the store.
 *
 * @param platform from the index entry, else from the image config
 */
public record PulledImage(Descriptor manifestDesc, Manifest manifest, Platform platform) {

    public Descriptor config() {
        return manifest.config();
    }
}
