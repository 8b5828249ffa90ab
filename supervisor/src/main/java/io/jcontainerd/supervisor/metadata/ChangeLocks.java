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
 *   <li>removing an object that other changes add references to (a lease: content, snapshots
 *       and ingests are added to it after a check that it exists) holds the namespace's read side
 *       and the collection's write side ({@link #removal}), as the collector does when it expires
 *       one: every add lands wholly before the removal (and goes with the object) or after it
 *       (and finds it gone), never between the removal's scan of the references and its write.</li>
 * </ul>
 * Order, always: namespace lock, then collection lock, then a store's own monitor. Nobody takes a
 * namespace lock while holding the collection lock, and namespace deletion never takes the
 * collection lock, so the three cannot wait on each other in a cycle. Namespace locks are striped
 * (a namespace deletion briefly holds back creations in the namespaces sharing its stripe).
 */
public final class ChangeLocks {
    private static final int STRIPES = 64;

    private final ReentrantReadWriteLock collection = new ReentrantReadWriteLock();
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

    /**
     * Runs the removal of an object of {@code ns} that changes add references to: no change to any
     * namespace's objects and no collection runs meanwhile (it waits for those in progress). Not
     * from inside a {@link #change}: the collection lock's read side cannot be upgraded.
     */
    public <T> T removal(String ns, Supplier<T> body) {
        if (collection.getReadHoldCount() > 0) {
            throw new IllegalStateException("a removal of an object of namespace " + ns
                    + " was started inside a change (it would wait for itself forever)");
        }
        Lock namespace = stripe(ns).readLock();
        namespace.lock();
        try {
            Lock exclusive = collection.writeLock();
            exclusive.lock();
            try {
                return body.get();
            } finally {
                exclusive.unlock();
            }
        } finally {
            namespace.unlock();
        }
    }

    /** As {@link #removal(String, Supplier)} for a removal with no result. */
    public void removal(String ns, Runnable body) {
        removal(ns, () -> {
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
