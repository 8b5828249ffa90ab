package io.jcontainerd.snapshot.driver;

import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.snapshot.Usage;

import java.time.Instant;
import java.util.Map;

/**
 * One snapshot as the driver stores it: {@code id} names its directory under snapshots/, which
 * stays the same when an active snapshot is committed under a new name.
 *
 * @param usage for committed snapshots, measured at commit time; zero otherwise
 */
record SnapshotRecord(long id, String key, Kind kind, String parent, Map<String, String> labels,
                      Instant created, Instant updated, Usage usage) {

    SnapshotRecord {
        parent = parent == null ? "" : parent;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        usage = usage == null ? Usage.ZERO : usage;
    }

    SnapshotInfo info() {
        return new SnapshotInfo(key, parent, kind, labels, created, updated);
    }
}
