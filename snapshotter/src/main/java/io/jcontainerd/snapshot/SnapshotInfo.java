package io.jcontainerd.snapshot;

import java.time.Instant;
import java.util.Map;

/**
 * What a snapshotter knows about one snapshot (containerd's snapshots.Info).
 *
 * @param name    the key of an active or view snapshot, or the name of a committed one
 * @param parent  the name of the committed parent, "" when there is none
 * @param kind    view, active or committed
 * @param labels  user labels, never null
 * @param created when the snapshot (or, for committed ones, the commit) was created
 * @param updated when its labels last changed
 */
public record SnapshotInfo(String name, String parent, Kind kind, Map<String, String> labels,
                           Instant created, Instant updated) {
    public SnapshotInfo {
        parent = parent == null ? "" : parent;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
