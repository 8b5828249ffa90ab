package io.jcontainerd.snapshot.driver;

import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.SnapshotterConformance;

import java.nio.file.Path;

/** The conformance suite against the native (full copy) driver (root: it bind-mounts). */
class NativeSnapshotterIT extends SnapshotterConformance {
    @Override
    protected Snapshotter open(Path root) {
        return new NativeSnapshotter(root);
    }
}
