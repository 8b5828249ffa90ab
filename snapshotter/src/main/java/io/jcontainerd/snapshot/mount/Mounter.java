package io.jcontainerd.snapshot.mount;

import io.jcontainerd.snapshot.Mount;

import java.nio.file.Path;
import java.util.List;

/**
 * Mounts the descriptions a snapshotter returns (containerd's mount.All / mount.Unmount).
 * The snapshotters themselves never mount anything.
 */
public interface Mounter {

    /** Mounts one description on {@code mountPoint} (joined with the mount's own target, if any). */
    void mount(Mount mount, Path mountPoint);

    /** Unmounts whatever is mounted on {@code mountPoint}, all stacked mounts; a no-op if none. */
    void unmountAll(Path mountPoint);

    /** Mounts them all in order; if one fails, unmounts those already mounted and rethrows. */
    default void mountAll(List<Mount> mounts, Path mountPoint) {
        int done = 0;
        try {
            for (Mount m : mounts) {
                mount(m, mountPoint);
                done++;
            }
        } catch (RuntimeException e) {
            if (done > 0) {
                try {
                    unmountAll(mountPoint);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** mount(2) and umount2(2) through {@link io.jcontainerd.snapshot.linux.Syscalls}. */
    static Mounter linux() {
        return new LinuxMounter(io.jcontainerd.snapshot.linux.Syscalls.linux());
    }
}
