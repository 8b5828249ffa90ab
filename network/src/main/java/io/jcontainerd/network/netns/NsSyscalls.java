package io.jcontainerd.network.netns;

import java.nio.file.Path;

/**
 * The system calls network namespaces need, behind one interface (JNA in {@link JnaNsSyscalls}).
 * Each throws {@link io.jcontainerd.config.errdefs.JcdException} naming the call, the path and errno.
 */
public interface NsSyscalls {
    /**
     * Creates a new network namespace with its loopback interface up and pins it by bind-mounting
     * it on {@code target} (an existing empty file), without moving any thread of the caller into it.
     */
    void createPinnedNetns(Path target);

    /** Makes {@code dir} a shared mount point (bind-mounting it on itself first if it is not one), as `ip netns add` does. */
    void makeSharedMountPoint(Path dir);

    /** umount2(path, MNT_DETACH); false when {@code path} was not a mount point. */
    boolean detach(Path path);
}
