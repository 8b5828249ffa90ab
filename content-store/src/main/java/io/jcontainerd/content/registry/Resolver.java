package io.jcontainerd.content.registry;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.ImageReference;

/** Turns a reference (tag or digest) into the descriptor of its root manifest or index. */
public interface Resolver {

    /**
     * @throws io.jcontainerd.config.errdefs.NotFoundException naming the reference and registry when
     *         no host knows it
     */
    Descriptor resolve(ImageReference ref);
}
