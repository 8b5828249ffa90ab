package io.jcontainerd.snapshot.driver;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.mount.Mounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether overlayfs works on a snapshotter root (as containerd's overlayutils.Supported): the
 * kernel must have it and the root's filesystem must take an upper directory (not every one
 * does, e.g. overlay on overlay without xattr support). The supervisor asks at start and falls
 * back to the native driver when the answer is no.
 */
public final class OverlaySupport {
    private OverlaySupport() {
    }

    /** Mounts a throw-away overlay under {@code root}; FailedPrecondition with the reason if that fails. */
    public static void check(Path root, Mounter mounter) {
        Path probe;
        try {
            probe = Files.createTempDirectory(Files.createDirectories(root), ".overlay-check-");
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot check overlayfs support under %s: %s", root, e);
        }
        Path merged = probe.resolve("merged");
        try {
            for (String d : List.of("lower", "upper", "work", "merged")) {
                Files.createDirectory(probe.resolve(d));
            }
            Mount overlay = new Mount("overlay", "overlay", "", List.of(
                    "workdir=" + probe.resolve("work"), "upperdir=" + probe.resolve("upper"), "lowerdir=" + probe.resolve("lower")));
            mounter.mount(overlay, merged);
            mounter.unmountAll(merged);
        } catch (IOException | RuntimeException e) {
            throw JcdException.failedPrecondition("overlayfs cannot be used under %s (%s); use the native snapshotter there",
                    root, e.getMessage());
        } finally {
            try {
                mounter.unmountAll(merged);
                FileTrees.deleteRecursively(probe);
            } catch (IOException | RuntimeException ignored) {
                // a leftover probe directory; cleanup() of nothing owns it, harmless
            }
        }
    }
}
