package io.jcontainerd.snapshot.driver;

import io.jcontainerd.config.errdefs.JcdException;

import java.nio.file.Path;
import java.util.List;

/** Opens a local driver by the name clients use in requests ("overlayfs", "native"). */
public final class Snapshotters {
    public static final String OVERLAYFS = "overlayfs";
    public static final String NATIVE = "native";
    public static final List<String> NAMES = List.of(OVERLAYFS, NATIVE);

    private Snapshotters() {
    }

    /**
     * Opens the driver {@code name} on {@code root} (e.g. /var/lib/jcontainerd/snapshots/overlayfs),
     * finding the snapshots a previous instance left there.
     */
    public static LocalSnapshotter open(String name, Path root) {
        return switch (name) {
            case OVERLAYFS -> new OverlaySnapshotter(root);
            case NATIVE -> new NativeSnapshotter(root);
            default -> throw JcdException.notFound("snapshotter %s is not known; use one of %s", name, NAMES);
        };
    }
}
