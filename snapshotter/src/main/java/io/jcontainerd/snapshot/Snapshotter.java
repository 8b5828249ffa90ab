package io.jcontainerd.snapshot;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The snapshotter contract, as containerd's snapshots.Snapshotter: a tree of filesystem
 * snapshots, each either active (writable), a view (read-only) or committed (immutable, a parent
 * for others). Keys and committed names share one space of arbitrary strings. Nothing here knows
 * about namespaces: the supervisor's metadata layer adds them on top.
 *
 * <p>Errors are {@link io.jcontainerd.config.errdefs.JcdException}s: NotFound for an unknown key
 * or parent, AlreadyExists for a key or name in use, FailedPrecondition for an operation the
 * snapshot's kind or children forbid, InvalidArgument for a parent that is not committed.
 */
public interface Snapshotter extends AutoCloseable {

    /** The information about one snapshot, by key or committed name. */
    SnapshotInfo stat(String key);

    /**
     * Updates the labels of {@code info.name()}. With no field paths all labels are replaced by
     * {@code info.labels()}; a field path {@code labels.<k>} sets (or, if absent from info, removes)
     * only that label; {@code labels} replaces all. Other fields cannot change.
     */
    SnapshotInfo update(SnapshotInfo info, String... fieldPaths);

    /** Disk used by the snapshot's own layer (not its parents). */
    Usage usage(String key);

    /** How to mount an active snapshot or a view; FailedPrecondition for a committed one. */
    List<Mount> mounts(String key);

    /** Creates an active snapshot on top of the committed {@code parent} ("" for none). */
    List<Mount> prepare(String key, String parent, Map<String, String> labels);

    /** Creates a read-only view of the committed {@code parent} ("" for an empty one). */
    List<Mount> view(String key, String parent, Map<String, String> labels);

    /** Turns the active snapshot {@code key} into the committed snapshot {@code name}; the key disappears. */
    void commit(String name, String key, Map<String, String> labels);

    /** Removes a snapshot; FailedPrecondition naming the children if it has any. */
    void remove(String key);

    /**
     * As {@link #remove}, but only the record goes now (the snapshot is gone for every other call
     * at once); its directories are left to the next {@link #cleanup()}. A garbage collector calls
     * this while it holds its lock and cleans up after releasing it, so deleting files never holds
     * up other calls (containerd's overlay snapshotter calls this asynchronous removal).
     */
    default void removeDeferred(String key) {
        remove(key);
    }

    /**
     * As {@link #remove}, but the snapshot's directories are deleted in the background after the
     * call returns: the record goes now and the directories are out of every other call's way at
     * once (renamed), so a caller on a latency path (a container's removal) does not wait for the
     * files to go. A crash before they are gone leaves them to {@link #cleanup()}.
     */
    default void removeInBackground(String key) {
        remove(key);
    }

    /**
     * Calls {@code visitor} for every snapshot matching any of the filters (containerd syntax, see
     * {@link SnapshotFilter}); all snapshots when there are none.
     */
    void walk(Consumer<SnapshotInfo> visitor, String... filters);

    /** Removes directories left behind by interrupted operations (no record points at them). */
    void cleanup();

    /** Releases the driver; calling it twice is harmless. */
    @Override
    void close();
}
