package io.jcontainerd.snapshot;

/**
 * Disk used by a snapshot's own layer (containerd's snapshots.Usage).
 *
 * @param size   bytes of disk blocks used, each hardlinked inode counted once
 * @param inodes number of inodes
 */
public record Usage(long size, long inodes) {
    public static final Usage ZERO = new Usage(0, 0);

    public Usage add(Usage other) {
        return new Usage(size + other.size, inodes + other.inodes);
    }
}
