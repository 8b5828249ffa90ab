package io.jcontainerd.supervisor.snapshots;

import java.time.Instant;

/**
 * The metadata record of one snapshot in a namespace (family SNAPSHOTS, key
 * {@code <ns> NUL <snapshotter> NUL <key>}): it makes the snapshot visible in that namespace and
 * counts for namespace deletion and garbage collection. Kind, parent and labels live in the driver.
 */
public record SnapshotRef(String snapshotter, String key, Instant created) {
}
