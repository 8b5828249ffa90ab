package io.jcontainerd.supervisor.plugins;

import io.jcontainerd.config.filters.Filter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the daemon serves, in registration order; components register themselves at start-up. */
public final class PluginRegistry {
    public static final String GRPC = "io.containerd.grpc.v1";
    public static final String METADATA = "io.containerd.metadata.v1";
    public static final String SNAPSHOTTER = "io.containerd.snapshotter.v1";
    public static final String DIFF = "io.containerd.differ.v1";
    public static final String RUNTIME = "io.containerd.runtime.v2";

    private final List<PluginInfo> plugins = new CopyOnWriteArrayList<>();

    public void register(PluginInfo plugin) {
        plugins.add(plugin);
    }

    public List<PluginInfo> list(Filter filter) {
        return plugins.stream().filter(p -> filter.matches(p::field)).toList();
    }
}
