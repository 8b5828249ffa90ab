package io.jcontainerd.supervisor.metadata;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The one lock discipline of metadata changes (containerd gets the same from one bbolt
 * transaction per change):
 * <ul>
 *   <li>a change to a namespace's objects holds the read side of that namespace's lock, from the
 *       check that the namespace exists to the write; deleting the namespace holds its write side,
 *       so an object is never written into a namespace being deleted;</li>
 *   <li>inside it, the change holds the read side of the collection lock; the garbage collector
 *       holds its write side while it marks and sweeps metadata, so it sees every change whole.</li>
 * </ul>
 * Order, always: namespace lock, then collection lock, then a store's own monitor. Nobody takes a
 * namespace lock while holding the collection lock, and namespace deletion never takes the
 * collection lock, so the three cannot wait on each other in a cycle. Namespace locks are striped
 * (a namespace deletion briefly holds back creations in the namespaces sharing its stripe).
 */
public final class ChangeLocks {
    private static final int STRIPES = 64;

    private final ReadWriteLock collection = new ReentrantReadWriteLock();
    private final ReadWriteLock[] namespaces = new ReadWriteLock[STRIPES];

    public ChangeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            namespaces[i] = new ReentrantReadWriteLock();
        }
    }

    /** The collection lock: read side for changes (via {@link #change}), write side for the collector. */
    public ReadWriteLock collection() {
        return collection;
    }

    /** Runs a change to {@code ns}'s objects: the namespace is not deleted and the collector does not run meanwhile. */
    public <T> T change(String ns, Supplier<T> body) {
        Lock namespace = stripe(ns).readLock();
        namespace.lock();
        try {
            Lock mutation = collection.readLock();
            mutation.lock();
            try {
                return body.get();
            } finally {
                mutation.unlock();
            }
        } finally {
            namespace.unlock();
        }
    }

    /** As {@link #change(String, Supplier)} for a change with no result. */
    public void change(String ns, Runnable body) {
        change(ns, () -> {
            body.run();
            return null;
        });
    }

    /** Runs the deletion of {@code ns}: no change to its objects runs meanwhile. */
    <T> T namespaceDeletion(String ns, Supplier<T> body) {
        Lock exclusive = stripe(ns).writeLock();
        exclusive.lock();
        try {
            return body.get();
        } finally {
            exclusive.unlock();
        }
    }

    private ReadWriteLock stripe(String ns) {
        return namespaces[Math.floorMod(ns.hashCode(), STRIPES)];
    }
}
