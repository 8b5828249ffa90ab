package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.image.Digest;

/** A node of the reference graph the collector marks: a resource of one namespace. */
public sealed interface GcRef {
    String namespace();

    record Content(String namespace, Digest digest) implements GcRef {
    }

    /** A snapshot {@code key} of {@code snapshotter}; swept by a {@link GcParticipant} that owns snapshots. */
    record Snapshot(String namespace, String snapshotter, String key) implements GcRef {
    }
}
