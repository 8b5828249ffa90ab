package io.jcontainerd.content.push;

import io.jcontainerd.content.image.Descriptor;

/** Hears a push blob by blob (layers and the config); called on the pushing thread. */
public interface PushListener {
    PushListener NONE = new PushListener() {
    };

    /** The push will look at this blob. */
    default void preparing(Descriptor blob) {
    }

    /** The repository has the blob: nothing sent. */
    default void exists(Descriptor blob) {
    }

    /** {@code sent} bytes of the blob have gone out in the current attempt. */
    default void pushing(Descriptor blob, long sent) {
    }

    /** The registry mounted the blob from repository {@code from} of the same host: nothing sent. */
    default void mounted(Descriptor blob, String from) {
    }

    /** The registry has the whole blob. */
    default void pushed(Descriptor blob) {
    }
}
