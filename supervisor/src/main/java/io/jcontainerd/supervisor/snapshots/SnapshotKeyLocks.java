package io.jcontainerd.supervisor.snapshots;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The snapshot store's own locks: a change of a snapshot's record and its driver snapshot (create,
 * commit, remove, hold) holds the lock of every key it checks or writes, from the check to the
 * last write, so no other change of those keys runs between the check and the act. Without them
 * two commits of one chain ID (two pulls of one image) both found no record, and the second removed
 * the first's just-committed snapshot as a leftover without a record.
 *
 * <p>Taken last, inside {@code ChangeLocks.change} (namespace lock, collection lock, then these);
 * striped per (namespace, snapshotter, key), and a change locks its stripes in ascending order and
 * takes no other lock while holding them, so two changes cannot wait on each other in a cycle.
 */
final class SnapshotKeyLocks {
    private static final int STRIPES = 256;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    SnapshotKeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Runs {@code body} holding the locks of {@code keys} (empty keys, such as "no parent", lock nothing). */
    <T> T holding(String ns, String snapshotter, Supplier<T> body, String... keys) {
        int[] order = Arrays.stream(keys).filter(k -> k != null && !k.isEmpty())
                .mapToInt(k -> Math.floorMod(Objects.hash(ns, snapshotter, k), STRIPES)).distinct().sorted().toArray();
        int locked = 0;
        try {
            for (int i : order) {
                stripes[i].lock();
                locked++;
            }
            return body.get();
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                stripes[order[i]].unlock();
            }
        }
    }
}
