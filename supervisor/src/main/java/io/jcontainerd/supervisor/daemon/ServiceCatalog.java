package io.jcontainerd.supervisor.daemon;

import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.supervisor.grpc.NotYetImplemented;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;
import io.jcontainerd.supervisor.plugins.PluginInfo;
import io.jcontainerd.supervisor.plugins.PluginRegistry;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.supervisor.services.EventsService;
import io.jcontainerd.supervisor.services.IntrospectionService;
import io.jcontainerd.supervisor.services.NamespacesService;
import io.jcontainerd.supervisor.services.SnapshotsService;
import io.jcontainerd.supervisor.services.VersionService;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.snapshots.SnapshotterSet;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every containerd v1 service the daemon answers, and the plugin entries Introspection reports
 * for them. Services not built yet are registered so that each call answers UNIMPLEMENTED
 * naming the method, and are reported as plugins with an init error.
 */
final class ServiceCatalog {
    private ServiceCatalog() {
    }

    /** The services to serve; what must be closed at shutdown is added to {@code resources}, in opening order. */
    static List<ServerServiceDefinition> build(DaemonConfig config, MetadataStore metadata, NamespaceStore namespaces,
                                               PluginRegistry plugins, List<AutoCloseable> resources) {
        List<ServerServiceDefinition> services = new ArrayList<>();
        plugins.register(PluginInfo.ok(PluginRegistry.METADATA, "rocksdb"));

        services.add(new VersionService().bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "version"));
        EventExchange events = new EventExchange();
        services.add(new EventsService(events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "events"));
        services.add(new NamespacesService(namespaces, events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "namespaces"));
        services.add(new IntrospectionService(plugins, ServerIdentity.current(metadata.serverUuid())).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "introspection"));
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "healthcheck"));

        SnapshotterSet snapshotters = new SnapshotterSet()
                .add("overlayfs", new OverlaySnapshotter(config.snapshotsDir("overlayfs")))
                .add("native", new NativeSnapshotter(config.snapshotsDir("native")));
        resources.add(snapshotters);
        snapshotters.names().forEach(n -> plugins.register(PluginInfo.ok(PluginRegistry.SNAPSHOTTER, n)));
        services.add(new SnapshotsService(new NamespacedSnapshots(snapshotters, metadata, namespaces), events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "snapshots"));

        for (Map.Entry<String, ServiceDescriptor> e : Unimplemented.SERVICES.entrySet()) {
            services.add(NotYetImplemented.service(e.getValue()));
            plugins.register(PluginInfo.failed(PluginRegistry.GRPC, e.getKey(), "not implemented by jcontainerd yet"));
        }
        return services;
    }
}
