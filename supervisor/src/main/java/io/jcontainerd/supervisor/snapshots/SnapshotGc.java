package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.supervisor.gc.GcLabels;
import io.jcontainerd.supervisor.gc.GcParticipant;
import io.jcontainerd.supervisor.gc.GcRef;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Snapshots in the garbage collector's graph, as containerd's metadata/gc.go treats them: a
 * snapshot labelled {@code containerd.io/gc.root} is a root; a snapshot refers to its parent and
 * to what its own gc.ref labels name; content refers to snapshots through
 * {@code containerd.io/gc.ref.snapshot.<snapshotter>} (an unpacked image's config names its top
 * layer), leases through {@code snapshots/<snapshotter>} resources, containers through their
 * snapshot key. Unmarked snapshots are removed children first.
 */
public final class SnapshotGc implements GcParticipant {
    private static final Logger LOG = Logger.getLogger(SnapshotGc.class.getName());

    private final NamespacedSnapshots snapshots;
    private final SnapshotterSet drivers;
    private final MetadataStore db;

    public SnapshotGc(NamespacedSnapshots snapshots, SnapshotterSet drivers, MetadataStore db) {
        this.snapshots = snapshots;
        this.drivers = drivers;
        this.db = db;
    }

    @Override
    public void roots(Consumer<GcRef> out) {
        forEach((ref, info) -> {
            if (GcLabels.isRoot(info.labels())) {
                out.accept(ref);
            }
        });
    }

    @Override
    public void references(GcRef node, Consumer<GcRef> out) {
        if (!(node instanceof GcRef.Snapshot s) || !drivers.names().contains(s.snapshotter())) {
            return;
        }
        SnapshotInfo info;
        try {
            info = snapshots.stat(s.namespace(), s.snapshotter(), s.key());
        } catch (RuntimeException gone) {
            return;
        }
        if (!info.parent().isEmpty()) {
            out.accept(new GcRef.Snapshot(s.namespace(), s.snapshotter(), info.parent()));
        }
        GcLabels.references(s.namespace(), info.labels(), out);
    }

    @Override
    public int sweep(Set<GcRef> marked) {
        Map<GcRef.Snapshot, SnapshotInfo> doomed = new HashMap<>();
        forEach((ref, info) -> {
            if (!marked.contains(ref)) {
                doomed.put(ref, info);
            }
        });
        int removed = 0;
        boolean progress = true;
        while (!doomed.isEmpty() && progress) {
            progress = false;
            for (GcRef.Snapshot ref : new ArrayList<>(doomed.keySet())) {
                boolean hasDoomedChild = doomed.entrySet().stream().anyMatch(e -> e.getKey().namespace().equals(ref.namespace())
                        && e.getKey().snapshotter().equals(ref.snapshotter()) && e.getValue().parent().equals(ref.key()));
                if (hasDoomedChild) {
                    continue;
                }
                try {
                    snapshots.remove(ref.namespace(), ref.snapshotter(), ref.key());
                    removed++;
                    LOG.fine(() -> "namespace=" + ref.namespace() + " gc removed snapshot " + ref.snapshotter() + "/" + ref.key());
                } catch (RuntimeException e) {
                    LOG.warning(() -> "namespace=" + ref.namespace() + " gc could not remove snapshot " + ref.key() + ": " + e.getMessage());
                }
                doomed.remove(ref);
                progress = true;
            }
        }
        return removed;
    }

    /** Every snapshot the metadata records, with what its driver knows of it. */
    private void forEach(java.util.function.BiConsumer<GcRef.Snapshot, SnapshotInfo> visitor) {
        List<GcRef.Snapshot> refs = new ArrayList<>();
        db.scan(Family.SNAPSHOTS, new byte[0], (k, v) -> {
            List<String> parts = Keys.split(k);
            if (parts.size() == 3) {
                refs.add(new GcRef.Snapshot(parts.get(0), parts.get(1), parts.get(2)));
            }
        });
        for (GcRef.Snapshot ref : refs) {
            if (!drivers.names().contains(ref.snapshotter())) {
                continue;
            }
            try {
                visitor.accept(ref, snapshots.stat(ref.namespace(), ref.snapshotter(), ref.key()));
            } catch (RuntimeException missing) {
                // recorded but gone from the driver (a crash between the two): nothing to keep or remove
            }
        }
    }

}
