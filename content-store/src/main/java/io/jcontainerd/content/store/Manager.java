package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

import java.util.function.Consumer;

/** Lists and removes committed content. */
public interface Manager {

    Info info(Digest digest);

    /** Calls the visitor once per committed blob, in no particular order. */
    void walk(Consumer<Info> visitor);

    /** Removes a blob; NotFound if absent. */
    void delete(Digest digest);
}
