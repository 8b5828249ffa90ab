package io.jcontainerd.snapshot;

/** The three kinds of snapshot, as containerd's snapshots.Kind. */
public enum Kind {
    /** A read-only snapshot of a committed parent, never committed itself. */
    VIEW,
    /** A writable snapshot that can be committed. */
    ACTIVE,
    /** An immutable snapshot, usable as a parent. */
    COMMITTED
}
