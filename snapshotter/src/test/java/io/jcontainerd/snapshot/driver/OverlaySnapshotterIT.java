package io.jcontainerd.snapshot.driver;

import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.SnapshotterConformance;

import java.nio.file.Path;

/** The conformance suite against the overlayfs driver (root: it mounts overlays). */
class OverlaySnapshotterIT extends SnapshotterConformance {
    @Override
    protected Snapshotter open(Path root) {
        return new OverlaySnapshotter(root);
    }
}
