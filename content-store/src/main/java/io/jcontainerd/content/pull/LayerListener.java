package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Manifest;

/**
 * Lets an unpacker start on a layer as soon as it is verified, instead of after the whole image:
 * layer i can be applied once it and layers 0..i-1 are committed. Calls come from download
 * threads, in completion order (not layer order), one per layer, also for layers that already
 * existed. An exception thrown here fails the pull.
 */
public interface LayerListener {

    LayerListener NONE = (manifest, index, layer) -> { };

    /** A platform manifest is known; its layers follow. Called before any of its layer callbacks. */
    default void onManifest(Descriptor manifestDesc, Manifest manifest) {
    }

    /** Layer {@code index} of the manifest is verified and in the content store. */
    void onLayerCommitted(Descriptor manifestDesc, int index, Descriptor layer);
}
