package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.Usage;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A driver that passes every call to another: tests override only the calls they hold back, gate or log. */
abstract class ForwardingSnapshotter implements Snapshotter {
    protected final Snapshotter d;

    ForwardingSnapshotter(Snapshotter d) {
        this.d = d;
    }

    @Override
    public SnapshotInfo stat(String key) {
        return d.stat(key);
    }

    @Override
    public SnapshotInfo update(SnapshotInfo info, String... fieldPaths) {
        return d.update(info, fieldPaths);
    }

    @Override
    public Usage usage(String key) {
        return d.usage(key);
    }

    @Override
    public List<Mount> mounts(String key) {
        return d.mounts(key);
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return d.prepare(key, parent, labels);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return d.view(key, parent, labels);
    }

    @Override
    public void commit(String name, String key, Map<String, String> labels) {
        d.commit(name, key, labels);
    }

    @Override
    public void remove(String key) {
        d.remove(key);
    }

    @Override
    public void removeDeferred(String key) {
        d.removeDeferred(key);
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor, String... filters) {
        d.walk(visitor, filters);
    }

    @Override
    public void cleanup() {
        d.cleanup();
    }

    @Override
    public void close() {
        d.close();
    }
}
