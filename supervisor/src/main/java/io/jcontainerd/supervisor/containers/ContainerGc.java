package io.jcontainerd.supervisor.containers;

import io.jcontainerd.supervisor.gc.GcLabels;
import io.jcontainerd.supervisor.gc.GcParticipant;
import io.jcontainerd.supervisor.gc.GcRef;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Containers in the garbage collector's graph: each container keeps its snapshot and whatever
 * its gc.ref labels name. Containers themselves are never collected.
 */
public final class ContainerGc implements GcParticipant {
    private final ContainerStore containers;

    public ContainerGc(ContainerStore containers) {
        this.containers = containers;
    }

    @Override
    public void roots(Consumer<GcRef> out) {
        containers.forEachInAllNamespaces((ns, c) -> {
            if (!c.snapshotKey().isEmpty()) {
                out.accept(new GcRef.Snapshot(ns, c.snapshotter(), c.snapshotKey()));
            }
            GcLabels.references(ns, c.labels(), out);
        });
    }

    @Override
    public boolean holds(GcRef ref) {
        return ref instanceof GcRef.Snapshot s && containers.usesSnapshot(s.namespace(), s.snapshotter(), s.key());
    }

    @Override
    public void references(GcRef node, Consumer<GcRef> out) {
        // containers are roots only; what they name is emitted by roots()
    }

    @Override
    public int sweep(Set<GcRef> marked) {
        return 0;
    }
}
