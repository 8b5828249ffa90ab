package io.jcontainerd.supervisor.snapshots;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Snapshotter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The snapshotter drivers the daemon has loaded, by the name clients use ("overlayfs", "native"). */
public final class SnapshotterSet implements AutoCloseable {
    private final Map<String, Snapshotter> drivers = new LinkedHashMap<>();

    public SnapshotterSet add(String name, Snapshotter driver) {
        drivers.put(name, driver);
        return this;
    }

    /** The driver called {@code name}; InvalidArgument as containerd says it when missing or unknown. */
    public Snapshotter get(String name) {
        if (name == null || name.isEmpty()) {
            throw JcdException.invalidArgument("snapshotter argument missing: name one of %s", drivers.keySet());
        }
        Snapshotter s = drivers.get(name);
        if (s == null) {
            throw JcdException.invalidArgument("snapshotter not loaded: %s (loaded: %s)", name, drivers.keySet());
        }
        return s;
    }

    public Set<String> names() {
        return drivers.keySet();
    }

    @Override
    public void close() {
        drivers.values().forEach(Snapshotter::close);
    }
}
