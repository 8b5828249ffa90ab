package io.jcontainerd.supervisor.gc;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The extension point for resources the collector does not own itself, e.g. snapshots (whose
 * records, parents and labels live in the snapshot metadata) and containers (which hold a snapshot
 * and an image). The collector calls, with the collection lock held for writing:
 * {@link #roots} while marking, {@link #references} for each marked node (so a participant can
 * follow a snapshot's parent or labels), then {@link #sweep} with everything marked.
 * Content, image, lease and label references ({@link GcLabels}) are handled by the collector.
 */
public interface GcParticipant {

    /** Nodes that must live no matter what refers to them (e.g. a container's snapshot). */
    void roots(Consumer<GcRef> out);

    /** The nodes {@code node} refers to, if it is one of this participant's. */
    void references(GcRef node, Consumer<GcRef> out);

    /** Removes this participant's resources that are not in {@code marked}; returns how many it removed. */
    int sweep(Set<GcRef> marked);

    /**
     * Whether this participant keeps {@code ref} as a root whatever else refers to it (a container's snapshot),
     * read outside any collection; false (the default) when it cannot tell cheaply.
     */
    default boolean holds(GcRef ref) {
        return false;
    }

    /**
     * Called after the collection lock is released: the slow part of removal (deleting files) that
     * must not hold up other calls. Nothing by default.
     */
    default void afterCollection() {
    }
}
