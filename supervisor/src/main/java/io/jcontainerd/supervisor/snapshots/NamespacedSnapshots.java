package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.Usage;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Json;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Snapshots scoped by namespace over drivers that know nothing of namespaces, as containerd's
 * metadata/snapshot.go does: the driver's key is {@code <namespace>/<key>} (committed names
 * alike), so each namespace sees only its own snapshots and a committed layer is shared by every
 * image of the namespace that has the same chain ID. A record per snapshot in the metadata store
 * makes the namespace non-empty; the call's lease, if any, holds the snapshot.
 *
 * <p>The record is the truth, as in containerd: a snapshot the driver has but the metadata does not
 * record does not exist for clients (a crash between the two writes, or a removal the collector
 * deferred), and {@link SnapshotGc} reconciles the two after every collection: records whose
 * snapshot is gone are dropped, snapshots without a record removed, leftover directories deleted.
 *
 * <p>Each change holds the locks of the keys it checks and writes ({@link SnapshotKeyLocks}) from
 * the check of a record to its last write: a driver snapshot without a record is then a leftover,
 * never another change's snapshot whose record is about to be written.
 */
public final class NamespacedSnapshots {
    private final SnapshotterSet drivers;
    private final MetadataStore db;
    /** Its locks: the collector never runs between a record and its lease, nor the namespace's deletion. */
    private final NamespaceStore namespaces;
    /** Held from the check of a key's record to its last write: see {@link SnapshotKeyLocks}. */
    private final SnapshotKeyLocks keys = new SnapshotKeyLocks();

    public NamespacedSnapshots(SnapshotterSet drivers, MetadataStore db, NamespaceStore namespaces) {
        this.drivers = drivers;
        this.db = db;
        this.namespaces = namespaces;
    }

    public List<Mount> prepare(String ns, String snapshotter, String key, String parent, Map<String, String> labels,
                               Optional<String> lease) {
        return create(ns, snapshotter, key, parent, labels, lease, false);
    }

    /**
     * What a caller does with a snapshot {@link #prepare(String, String, String, String, Map, RecordedWith)}
     * made: it writes the snapshot's record in a batch of its own records.
     */
    @FunctionalInterface
    public interface RecordedWith<T> {
        /**
         * @param mounts the new snapshot's
         * @param snapshotRecord adds the snapshot's record to a batch; the caller writes that batch before it returns
         */
        T write(List<Mount> mounts, Consumer<MetadataStore.Batch> snapshotRecord);
    }

    /**
     * Prepares snapshot {@code key} (no lease) whose record the caller writes with its own records in one
     * synced write: the CRI's container and the rootfs snapshot it names, one disk sync instead of two. The
     * driver's snapshot comes first, its record second, as in {@link #commit}: a crash between them leaves a
     * snapshot no record names, which does not exist for clients and the next collection removes. All of
     * it runs under the namespace's change lock and the key's lock, so no collection runs between the
     * driver's snapshot and its record. If {@code use} fails, or returns without having written the
     * snapshot's record, the driver's snapshot is removed (and, in the second case, IllegalStateException).
     */
    public <T> T prepare(String ns, String snapshotter, String key, String parent, Map<String, String> labels, RecordedWith<T> use) {
        return namespaces.writeIn(ns, () -> keys.holding(ns, snapshotter, () -> {
            Snapshotter d = drivers.get(snapshotter);
            String backendParent = checkedParent(ns, snapshotter, key, parent, labels);
            if (recorded(ns, snapshotter, key)) {
                throw JcdException.alreadyExists("snapshot %s already exists (namespace %s)", key, ns);
            }
            removeUnrecorded(ns, d, key);
            String fromParent = backendParent;
            List<Mount> mounts = inNamespace(ns, () -> d.prepare(scoped(ns, key), fromParent, labels));
            try {
                T result = use.write(mounts, b -> b.put(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key), refValue(snapshotter, key)));
                if (!recorded(ns, snapshotter, key)) {
                    throw new IllegalStateException("snapshot " + key + " (namespace " + ns + ") was prepared but its record was not written");
                }
                return result;
            } catch (RuntimeException | Error e) {
                try {
                    inNamespace(ns, () -> {
                        d.remove(scoped(ns, key));
                        return null;
                    });
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup); // unrecorded: the next collection removes it
                }
                throw e;
            }
        }, key, parent));
    }

    /**
     * Checks a new snapshot's key and labels and that its parent (if any) is recorded in {@code ns};
     * returns the parent's name at the driver, "" for none. Under the key's lock.
     */
    private String checkedParent(String ns, String snapshotter, String key, String parent, Map<String, String> labels) {
        requireKey(key);
        Labels.validate(labels);
        if (parent == null || parent.isEmpty()) {
            return "";
        }
        if (!recorded(ns, snapshotter, parent)) {
            throw JcdException.notFound("parent snapshot %s of %s does not exist (namespace %s)", parent, key, ns);
        }
        return scoped(ns, parent);
    }

    public List<Mount> view(String ns, String snapshotter, String key, String parent, Map<String, String> labels,
                            Optional<String> lease) {
        return create(ns, snapshotter, key, parent, labels, lease, true);
    }

    private List<Mount> create(String ns, String snapshotter, String key, String parent, Map<String, String> labels,
                               Optional<String> lease, boolean view) {
        // the parent too: a parent found recorded is not removed (nor being committed) until the child is made
        return namespaces.writeIn(ns, () -> keys.holding(ns, snapshotter,
                () -> createLocked(ns, snapshotter, key, parent, labels, lease, view), key, parent));
    }

    private List<Mount> createLocked(String ns, String snapshotter, String key, String parent, Map<String, String> labels,
                                     Optional<String> lease, boolean view) {
        Snapshotter d = drivers.get(snapshotter);
        String backendParent = checkedParent(ns, snapshotter, key, parent, labels);
        requireLease(ns, lease);
        boolean existed = recorded(ns, snapshotter, key);
        if (!existed) {
            removeUnrecorded(ns, d, key);
            record(ns, snapshotter, key, lease);
        }
        String fromParent = backendParent;
        try {
            return inNamespace(ns, () -> view ? d.view(scoped(ns, key), fromParent, labels)
                    : d.prepare(scoped(ns, key), fromParent, labels));
        } catch (RuntimeException e) {
            if (!existed) {
                db.write(b -> {
                    b.delete(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key));
                    lease.ifPresent(l -> b.delete(Family.LEASE_REFS, Keys.of(ns, l, "snapshots/" + snapshotter, key)));
                });
            }
            throw e;
        }
    }

    /**
     * A snapshot the driver still has although no record names it (what a crash between the two
     * writes left): the key is free for the namespace, so the leftover goes before the key is reused.
     */
    private static void removeUnrecorded(String ns, Snapshotter d, String key) {
        try {
            d.stat(scoped(ns, key));
        } catch (NotFoundException absent) {
            return;
        }
        inNamespace(ns, () -> {
            d.remove(scoped(ns, key));
            return null;
        });
    }

    public List<Mount> mounts(String ns, String snapshotter, String key) {
        requireRecord(ns, snapshotter, key);
        return inNamespace(ns, () -> drivers.get(snapshotter).mounts(scoped(ns, key)));
    }

    public void commit(String ns, String snapshotter, String name, String key, Map<String, String> labels,
                       Optional<String> lease) {
        namespaces.locks().change(ns, () -> keys.holding(ns, snapshotter, () -> {
            commitLocked(ns, snapshotter, name, key, labels, lease);
            return null;
        }, name, key));
    }

    private void commitLocked(String ns, String snapshotter, String name, String key, Map<String, String> labels,
                              Optional<String> lease) {
        requireKey(name);
        Labels.validate(labels);
        requireRecord(ns, snapshotter, key);
        if (recorded(ns, snapshotter, name)) {
            throw JcdException.alreadyExists("snapshot %s already exists (namespace %s); commit under another name", name, ns);
        }
        requireLease(ns, lease);
        Snapshotter d = drivers.get(snapshotter);
        removeUnrecorded(ns, d, name);
        // the driver first, the record second: a crash between them leaves a record without its
        // snapshot and a snapshot without a record, and the next collection removes both
        inNamespace(ns, () -> {
            d.commit(scoped(ns, name), scoped(ns, key), labels);
            return null;
        });
        db.write(b -> {
            b.delete(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key));
            b.put(Family.SNAPSHOTS, Keys.of(ns, snapshotter, name), refValue(snapshotter, name));
            lease.ifPresent(l -> b.put(Family.LEASE_REFS, Keys.of(ns, l, "snapshots/" + snapshotter, name), new byte[0]));
        });
    }

    public void remove(String ns, String snapshotter, String key) {
        namespaces.locks().change(ns, () -> keys.holding(ns, snapshotter, () -> {
            removeLocked(ns, snapshotter, key);
            return null;
        }, key));
    }

    /**
     * Removes snapshot {@code key}; its record's deletion, handed to {@code use}, is written by the caller with
     * its own changes in one synced write (the CRI's container record and the rootfs snapshot it names: one disk
     * sync instead of two). As {@link #remove(String, String, String)}: the driver's snapshot goes first (its
     * files deleted in the background), the records after; if {@code use} fails, or returns without having
     * deleted the record, the record stays for a snapshot that is gone, which the next collection drops (and,
     * in the second case, IllegalStateException). NotFound, and nothing removed, unless the namespace records it.
     */
    public <T> T remove(String ns, String snapshotter, String key, Function<Consumer<MetadataStore.Batch>, T> use) {
        return namespaces.locks().change(ns, () -> keys.holding(ns, snapshotter, () -> {
            requireRecord(ns, snapshotter, key);
            removeFromDriver(ns, snapshotter, key);
            T result = use.apply(b -> b.delete(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key)));
            if (recorded(ns, snapshotter, key)) {
                throw new IllegalStateException("snapshot " + key + " (namespace " + ns + ") was removed but its record was not deleted");
            }
            return result;
        }, key));
    }

    private void removeLocked(String ns, String snapshotter, String key) {
        requireRecord(ns, snapshotter, key);
        removeFromDriver(ns, snapshotter, key);
        db.delete(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key));
    }

    private void removeFromDriver(String ns, String snapshotter, String key) {
        Snapshotter d = drivers.get(snapshotter);
        try {
            inNamespace(ns, () -> {
                // as containerd's overlay snapshotter (asynchronous removal): the record goes now, the files after
                d.removeInBackground(scoped(ns, key));
                return null;
            });
        } catch (NotFoundException goneAlready) {
            // the driver lost it (a crash): removing the record finishes the job
        }
    }

    /**
     * Adds {@code key} to {@code lease} if the namespace has it (recorded, and the driver has it),
     * as containerd's unpacker leases a layer another pull committed: whatever becomes of the
     * other pull (its lease deleted, its image removed, a collection), the snapshot stays while
     * this lease does. False, and no change, if there is no such snapshot.
     */
    public boolean hold(String ns, String snapshotter, String key, Optional<String> lease) {
        requireKey(key);
        Snapshotter d = drivers.get(snapshotter);
        return namespaces.locks().change(ns, () -> keys.holding(ns, snapshotter, () -> {
            requireLease(ns, lease);
            if (!recorded(ns, snapshotter, key)) {
                return false;
            }
            try {
                d.stat(scoped(ns, key));
            } catch (NotFoundException lost) {
                return false; // a crash between the two writes: the next collection drops the record
            }
            lease.ifPresent(l -> db.put(Family.LEASE_REFS, Keys.of(ns, l, "snapshots/" + snapshotter, key), new byte[0]));
            return true;
        }, key));
    }

    public SnapshotInfo stat(String ns, String snapshotter, String key) {
        requireRecord(ns, snapshotter, key);
        return unscoped(ns, inNamespace(ns, () -> drivers.get(snapshotter).stat(scoped(ns, key))));
    }

    /** Updates labels ({@code labels}, {@code labels.<k>}; no paths = replace them). */
    public SnapshotInfo update(String ns, String snapshotter, SnapshotInfo info, List<String> paths) {
        requireKey(info.name());
        for (String p : paths) {
            if (!p.equals("labels") && !p.startsWith("labels.")) {
                throw JcdException.invalidArgument("cannot update %s of snapshot %s: only labels and labels.<key> can change",
                        p, info.name());
            }
        }
        Labels.validate(info.labels());
        SnapshotInfo scopedInfo = new SnapshotInfo(scoped(ns, info.name()), info.parent(), info.kind(), info.labels(),
                info.created(), info.updated());
        // labels are references (gc.root, gc.ref.*): a collection sees them before or after, never half
        return namespaces.locks().change(ns, () -> keys.holding(ns, snapshotter, () -> {
            requireRecord(ns, snapshotter, info.name());
            return unscoped(ns, inNamespace(ns, () -> drivers.get(snapshotter).update(scopedInfo, paths.toArray(String[]::new))));
        }, info.name()));
    }

    public Usage usage(String ns, String snapshotter, String key) {
        requireRecord(ns, snapshotter, key);
        return inNamespace(ns, () -> drivers.get(snapshotter).usage(scoped(ns, key)));
    }

    /** Visits the namespace's snapshots of {@code snapshotter}, with names and parents as the namespace sees them. */
    public void walk(String ns, String snapshotter, Consumer<SnapshotInfo> visitor) {
        String prefix = ns + "/";
        Snapshotter d = drivers.get(snapshotter);
        Set<String> recorded = new HashSet<>();
        db.scan(Family.SNAPSHOTS, Keys.prefix(ns, snapshotter), (k, v) -> recorded.add(Keys.split(k).get(2)));
        List<SnapshotInfo> all = new ArrayList<>();
        d.walk(info -> {
            if (info.name().startsWith(prefix) && recorded.contains(info.name().substring(prefix.length()))) {
                all.add(unscoped(ns, info));
            }
        });
        all.forEach(visitor);
    }

    public void cleanup(String snapshotter) {
        drivers.get(snapshotter).cleanup();
    }

    /**
     * Runs a driver call and rewrites its error messages so they name keys as the namespace knows
     * them ("top", not "default/top").
     */
    private static <T> T inNamespace(String ns, Supplier<T> call) {
        try {
            return call.get();
        } catch (JcdException e) {
            String message = String.valueOf(e.getMessage()).replace(ns + "/", "");
            throw JcdException.of(e.kind(), message + " (namespace " + ns + ")", e);
        }
    }

    private boolean recorded(String ns, String snapshotter, String key) {
        return db.get(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key)) != null;
    }

    /** NotFound, as the driver says it, unless the namespace records {@code key}. */
    private void requireRecord(String ns, String snapshotter, String key) {
        requireKey(key);
        drivers.get(snapshotter);
        if (!recorded(ns, snapshotter, key)) {
            throw JcdException.notFound("snapshot %s does not exist (namespace %s)", key, ns);
        }
    }

    /**
     * NotFound unless {@code lease} (if any) exists, as containerd's metadata refuses it: a snapshot
     * made under a lease that was deleted or expired would be held by nothing, and the next
     * collection would remove it under the client. Called under the collection lock, so the
     * collector does not expire the lease between this check and the write.
     */
    private void requireLease(String ns, Optional<String> lease) {
        if (lease.isPresent() && db.get(Family.LEASES, Keys.of(ns, lease.get())) == null) {
            throw JcdException.notFound("lease %s in namespace %s: not found (it was deleted or expired); "
                    + "create it before using it in the containerd-lease header", lease.get(), ns);
        }
    }

    private void record(String ns, String snapshotter, String key, Optional<String> lease) {
        db.write(b -> {
            b.put(Family.SNAPSHOTS, Keys.of(ns, snapshotter, key), refValue(snapshotter, key));
            lease.ifPresent(l -> b.put(Family.LEASE_REFS, Keys.of(ns, l, "snapshots/" + snapshotter, key), new byte[0]));
        });
    }

    private static byte[] refValue(String snapshotter, String key) {
        return Json.write(new SnapshotRef(snapshotter, key, Instant.now()));
    }

    private static String requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw JcdException.invalidArgument("snapshot key must not be empty");
        }
        return key;
    }

    static String scoped(String ns, String key) {
        return ns + "/" + key;
    }

    private static SnapshotInfo unscoped(String ns, SnapshotInfo info) {
        String prefix = ns + "/";
        String parent = info.parent().startsWith(prefix) ? info.parent().substring(prefix.length()) : info.parent();
        String name = info.name().startsWith(prefix) ? info.name().substring(prefix.length()) : info.name();
        return new SnapshotInfo(name, parent, info.kind(), info.labels(), info.created(), info.updated());
    }

    /** Field values for containerd's snapshot filters: kind, name, parent, labels.<k>. */
    public static Optional<String> field(SnapshotInfo info, List<String> path) {
        if (path.size() == 2 && path.getFirst().equals("labels")) {
            return Optional.ofNullable(info.labels().get(path.get(1)));
        }
        if (path.size() != 1) {
            return Optional.empty();
        }
        return switch (path.getFirst()) {
            case "kind" -> Optional.of(kindName(info.kind()));
            case "name" -> Optional.of(info.name());
            case "parent" -> Optional.of(info.parent());
            default -> Optional.empty();
        };
    }

    static String kindName(Kind kind) {
        return switch (kind) {
            case VIEW -> "view";
            case ACTIVE -> "active";
            case COMMITTED -> "committed";
        };
    }
}
