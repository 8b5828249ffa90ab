package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.mount.Mounter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a layer to the mounts of an active snapshot: what containerd's Diff service Apply does
 * with the mounts in its request. The supervisor calls this between Snapshotter.prepare and
 * Snapshotter.commit.
 *
 * <ul>
 *   <li>one overlay mount with an upperdir: written straight into the upper directory with
 *       overlay whiteouts (no mount needed; the fast path, as containerd's apply_linux.go);</li>
 *   <li>one writable bind mount: written straight into its source, whiteouts as deletions;</li>
 *   <li>anything else: mounted on a temporary directory, applied through the mount, unmounted.</li>
 * </ul>
 */
public final class MountApplier {
    private final LayerApplier applier;
    private final Mounter mounter;
    private final Path scratch;

    /**
     * @param scratch where temporary mount points are made for the general case
     */
    public MountApplier(LayerApplier applier, Mounter mounter, Path scratch) {
        this.applier = applier;
        this.mounter = mounter;
        this.scratch = scratch;
    }

    public Applied apply(List<Mount> mounts, InputStream layer, String mediaType) {
        Compression compression = Compression.fromMediaType(mediaType);
        if (mounts.size() == 1) {
            Mount m = mounts.getFirst();
            if (m.type().equals("overlay") && m.target().isEmpty()) {
                String upper = m.option("upperdir").orElse(null);
                if (upper != null) {
                    List<Path> lowers = new ArrayList<>();
                    String lower = m.option("lowerdir").orElse(null);
                    if (lower != null) {
                        for (String l : lower.split(":")) {
                            lowers.add(Path.of(l));
                        }
                    }
                    return applier.apply(layer, compression, Path.of(upper), lowers, WhiteoutMode.OVERLAY);
                }
            }
            if (m.type().equals("bind") && !m.readOnly() && m.target().isEmpty()) {
                return applier.apply(layer, compression, Path.of(m.source()), WhiteoutMode.DELETE);
            }
        }
        if (mounts.stream().allMatch(Mount::readOnly)) {
            throw JcdException.failedPrecondition("cannot apply a layer to read-only mounts %s; apply to an active snapshot", mounts);
        }
        Path target;
        try {
            target = Files.createTempDirectory(Files.createDirectories(scratch), "apply-");
        } catch (IOException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "cannot create a mount point under " + scratch + ": " + e, e);
        }
        try {
            mounter.mountAll(mounts, target);
            try {
                return applier.apply(layer, compression, target, WhiteoutMode.DELETE);
            } finally {
                mounter.unmountAll(target);
            }
        } finally {
            try {
                // never recursive: if the unmount failed, the snapshot is still mounted there
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // a directory left in scratch; harmless
            }
        }
    }
}
