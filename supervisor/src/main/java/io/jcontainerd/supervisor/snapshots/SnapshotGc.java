package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.supervisor.gc.GcLabels;
import io.jcontainerd.supervisor.gc.GcParticipant;
import io.jcontainerd.supervisor.gc.GcRef;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Snapshots in the garbage collector's graph, as containerd's metadata/gc.go treats them: a
 * snapshot labelled {@code containerd.io/gc.root} is a root; a snapshot refers to its parent and
 * to what its own gc.ref labels name; content refers to snapshots through
 * {@code containerd.io/gc.ref.snapshot.<snapshotter>} (an unpacked image's config names its top
 * layer), leases through {@code snapshots/<snapshotter>} resources, containers through their
 * snapshot key.
 *
 * <p>Each collection, under the collection lock: one walk of every driver and one scan of the
 * records ({@link #roots}); unmarked records are deleted and their snapshots removed from the
 * driver children first, records whose snapshot is gone dropped, and driver snapshots that no record
 * names (nor any recorded snapshot descends from) removed, all with {@link Snapshotter#removeDeferred},
 * which touches no files ({@link #sweep}). After the lock is released, every driver's
 * {@link Snapshotter#cleanup} deletes the directories: those just unlinked, and any a failed removal
 * or a crash left ({@link #afterCollection}). Everything is linear in the number of snapshots.
 */
public final class SnapshotGc implements GcParticipant {
    private static final Logger LOG = Logger.getLogger(SnapshotGc.class.getName());

    private final SnapshotterSet drivers;
    private final MetadataStore db;
    /** The drivers and records as this collection found them; only touched under the collection lock. */
    private View view;

    public SnapshotGc(NamespacedSnapshots snapshots, SnapshotterSet drivers, MetadataStore db) {
        this.drivers = drivers;
        this.db = db;
    }

    /** Records (namespace, key) and the driver's snapshots (by driver name), read once per collection. */
    private record View(Map<String, Map<String, SnapshotInfo>> backend, List<GcRef.Snapshot> records) {
        SnapshotInfo info(GcRef.Snapshot ref) {
            Map<String, SnapshotInfo> d = backend.get(ref.snapshotter());
            return d == null ? null : d.get(NamespacedSnapshots.scoped(ref.namespace(), ref.key()));
        }
    }

    private View read() {
        Map<String, Map<String, SnapshotInfo>> backend = new HashMap<>();
        for (String name : drivers.names()) {
            Map<String, SnapshotInfo> infos = new HashMap<>();
            drivers.get(name).walk(i -> infos.put(i.name(), i));
            backend.put(name, infos);
        }
        List<GcRef.Snapshot> records = new ArrayList<>();
        db.scan(Family.SNAPSHOTS, new byte[0], (k, v) -> {
            List<String> parts = Keys.split(k);
            if (parts.size() == 3) {
                records.add(new GcRef.Snapshot(parts.get(0), parts.get(1), parts.get(2)));
            }
        });
        return new View(backend, records);
    }

    @Override
    public void roots(Consumer<GcRef> out) {
        view = read();
        for (GcRef.Snapshot ref : view.records()) {
            SnapshotInfo info = view.info(ref);
            if (info != null && GcLabels.isRoot(info.labels())) {
                out.accept(ref);
            }
        }
    }

    @Override
    public void references(GcRef node, Consumer<GcRef> out) {
        if (!(node instanceof GcRef.Snapshot s)) {
            return;
        }
        if (view == null) {
            view = read();
        }
        SnapshotInfo info = view.info(s);
        if (info == null) {
            return;
        }
        String prefix = s.namespace() + "/";
        if (info.parent().startsWith(prefix)) {
            out.accept(new GcRef.Snapshot(s.namespace(), s.snapshotter(), info.parent().substring(prefix.length())));
        }
        GcLabels.references(s.namespace(), info.labels(), out);
    }

    @Override
    public int sweep(Set<GcRef> marked) {
        View v = view != null ? view : read();
        view = null;
        List<byte[]> deadRecords = new ArrayList<>();
        Map<String, Set<String>> doomed = new HashMap<>();
        Map<String, Set<String>> kept = new HashMap<>();
        int vanished = 0;
        for (GcRef.Snapshot ref : v.records()) {
            if (!v.backend().containsKey(ref.snapshotter())) {
                continue; // a driver not loaded this time: leave its records alone
            }
            String name = NamespacedSnapshots.scoped(ref.namespace(), ref.key());
            if (v.info(ref) == null) {
                deadRecords.add(Keys.of(ref.namespace(), ref.snapshotter(), ref.key()));
                vanished++;
                LOG.info(() -> "namespace=" + ref.namespace() + " snapshot " + ref.snapshotter() + "/" + ref.key()
                        + " is recorded but its snapshotter has no such snapshot (a crash between the two): record dropped");
            } else if (marked.contains(ref)) {
                kept.computeIfAbsent(ref.snapshotter(), k -> new HashSet<>()).add(name);
            } else {
                deadRecords.add(Keys.of(ref.namespace(), ref.snapshotter(), ref.key()));
                doomed.computeIfAbsent(ref.snapshotter(), k -> new HashSet<>()).add(name);
            }
        }
        if (!deadRecords.isEmpty()) {
            db.write(b -> deadRecords.forEach(k -> b.delete(Family.SNAPSHOTS, k)));
        }
        int removed = 0;
        int orphans = 0;
        for (Map.Entry<String, Map<String, SnapshotInfo>> driver : v.backend().entrySet()) {
            Map<String, SnapshotInfo> infos = driver.getValue();
            Set<String> keep = ancestorsIncluded(kept.getOrDefault(driver.getKey(), Set.of()), infos);
            Set<String> go = new HashSet<>(doomed.getOrDefault(driver.getKey(), Set.of()));
            for (String name : infos.keySet()) {
                // every recorded snapshot is kept or doomed by now: what is left has no record
                if (!keep.contains(name) && go.add(name)) {
                    orphans++;
                    LOG.info(() -> "snapshot " + driver.getKey() + "/" + name
                            + " has no record (a crash between the two, or an interrupted removal): removing it");
                }
            }
            go.removeAll(keep);
            removed += removeChildrenFirst(driver.getKey(), drivers.get(driver.getKey()), go, infos);
        }
        if (vanished + orphans > 0) {
            int o = orphans;
            int gone = vanished;
            LOG.info(() -> "snapshots reconciled: " + gone + " records without a snapshot dropped, " + o
                    + " snapshots without a record removed");
        }
        return removed + vanished;
    }

    /** {@code names} and every ancestor of theirs: what a kept snapshot needs. */
    private static Set<String> ancestorsIncluded(Set<String> names, Map<String, SnapshotInfo> infos) {
        Set<String> out = new HashSet<>();
        for (String name : names) {
            String n = name;
            while (n != null && !n.isEmpty() && out.add(n)) {
                SnapshotInfo i = infos.get(n);
                n = i == null ? null : i.parent();
            }
        }
        return out;
    }

    /** Unlinks {@code go} from the driver, each after its children in the set (linear: a count of children per node). */
    private static int removeChildrenFirst(String driverName, Snapshotter driver, Set<String> go, Map<String, SnapshotInfo> infos) {
        Map<String, Integer> children = new HashMap<>();
        for (String name : go) {
            String parent = infos.get(name).parent();
            if (go.contains(parent)) {
                children.merge(parent, 1, Integer::sum);
            }
        }
        Deque<String> ready = new ArrayDeque<>();
        for (String name : go) {
            if (!children.containsKey(name)) {
                ready.add(name);
            }
        }
        int removed = 0;
        while (!ready.isEmpty()) {
            String name = ready.poll();
            try {
                driver.removeDeferred(name);
                removed++;
                LOG.fine(() -> "gc removed snapshot " + driverName + "/" + name);
            } catch (NotFoundException gone) {
                // removed meanwhile
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "gc could not remove snapshot " + driverName + "/" + name + ": " + e.getMessage(), e);
            }
            String parent = infos.get(name).parent();
            if (go.contains(parent) && children.merge(parent, -1, Integer::sum) == 0) {
                ready.add(parent);
            }
        }
        return removed;
    }

    /** Deletes the directories of what {@link #sweep} unlinked and whatever failed removals or crashes left. */
    @Override
    public void afterCollection() {
        for (String name : drivers.names()) {
            try {
                drivers.get(name).cleanup();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "snapshotter " + name + ": cannot delete leftover directories (the next collection retries): "
                        + e.getMessage(), e);
            }
        }
    }
}
