package io.jcontainerd.supervisor.daemon;

import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;
import io.jcontainerd.supervisor.grpc.WhenReady;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.supervisor.grpc.NotYetImplemented;
import io.jcontainerd.supervisor.metrics.EventMetrics;
import io.jcontainerd.supervisor.metrics.PullMetrics;
import io.jcontainerd.supervisor.metrics.StoreMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;
import io.jcontainerd.supervisor.plugins.PluginInfo;
import io.jcontainerd.supervisor.plugins.PluginRegistry;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.supervisor.events.ShimEventsEndpoint;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.supervisor.gc.CollectedStores;
import io.jcontainerd.supervisor.cri.Cri;
import io.jcontainerd.supervisor.services.ContentService;
import io.jcontainerd.supervisor.services.CriImageService;
import io.jcontainerd.supervisor.services.CriRuntimeService;
import io.jcontainerd.supervisor.services.PullService;
import io.jcontainerd.supervisor.pull.DaemonRegistry;
import io.jcontainerd.supervisor.pull.ServerPull;
import io.jcontainerd.snapshot.apply.LayerApplier;
import io.jcontainerd.snapshot.apply.MountApplier;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.supervisor.containers.ContainerGc;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.diff.LayerApply;
import io.jcontainerd.supervisor.diff.LayerDiff;
import io.jcontainerd.snapshot.diff.Differ;
import io.jcontainerd.supervisor.services.ContainersService;
import io.jcontainerd.supervisor.services.DiffService;
import io.jcontainerd.supervisor.services.EventsService;
import io.jcontainerd.supervisor.services.TasksService;
import io.jcontainerd.supervisor.tasks.ShimLauncher;
import io.jcontainerd.supervisor.tasks.TaskManager;
import java.nio.file.Path;
import io.jcontainerd.supervisor.snapshots.SnapshotGc;
import io.jcontainerd.supervisor.services.ImagesService;
import io.jcontainerd.supervisor.services.LeasesService;
import io.jcontainerd.supervisor.services.IntrospectionService;
import io.jcontainerd.supervisor.services.NamespacesService;
import io.jcontainerd.supervisor.services.SnapshotsService;
import io.jcontainerd.supervisor.services.VersionService;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.snapshots.SnapshotterSet;
import io.jcontainerd.snapshot.driver.NativeSnapshotter;
import io.jcontainerd.snapshot.driver.OverlaySnapshotter;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Every containerd v1 service the daemon answers, and the plugin entries Introspection reports
 * for them. Services not built yet are registered so that each call answers UNIMPLEMENTED
 * naming the method, and are reported as plugins with an init error.
 */
final class ServiceCatalog {
    private static final Logger LOG = Logger.getLogger(ServiceCatalog.class.getName());

    private ServiceCatalog() {
    }

    /**
     * The services to serve; what must be closed at shutdown is added to {@code resources}, in opening
     * order, and what runs calls for long (pulls) to {@code longCalls}, which the daemon stops before it
     * waits for the calls in progress.
     */
    static Catalog build(DaemonConfig config, MetadataStore metadata, NamespaceStore namespaces,
                                               PluginRegistry plugins, MeterRegistry meters, List<AutoCloseable> resources,
                                               List<AutoCloseable> longCalls, StartTimeline timeline) {
        List<ServerServiceDefinition> services = new ArrayList<>();
        plugins.register(PluginInfo.ok(PluginRegistry.METADATA, "rocksdb"));

        services.add(new VersionService().bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "version"));
        EventExchange events = new EventExchange();
        resources.add(new EventMetrics(events, meters));
        // before the shims are recovered: theirs is where they forward what happened while the daemon was down
        Path shimEvents = TtrpcEvents.socketFor(config.grpc().address());
        if (SocketGuard.claim(shimEvents)) {
            LOG.info(() -> "removed stale socket " + shimEvents);
        }
        resources.add(ShimEventsEndpoint.start(shimEvents, events));
        services.add(new EventsService(events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "events"));
        services.add(new NamespacesService(namespaces, events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "namespaces"));
        services.add(new IntrospectionService(plugins, ServerIdentity.current(metadata.serverUuid())).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "introspection"));
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "healthcheck"));
        timeline.mark("small services");

        SnapshotterSet snapshotters = new SnapshotterSet()
                .add("overlayfs", new OverlaySnapshotter(config.snapshotsDir("overlayfs")))
                .add("native", new NativeSnapshotter(config.snapshotsDir("native")));
        resources.add(snapshotters);
        snapshotters.names().forEach(n -> plugins.register(PluginInfo.hostOnly(PluginRegistry.SNAPSHOTTER, n)));
        // one lock discipline (namespaces.locks()): the collector never runs in the middle of a change
        NamespacedSnapshots snapshots = new NamespacedSnapshots(snapshotters, metadata, namespaces);
        services.add(new SnapshotsService(snapshots, events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "snapshots"));
        timeline.mark("snapshotters");

        CollectedStores stores = CollectedStores.open(metadata, namespaces, LocalContentStore.open(config.contentDir()),
                Clock.systemUTC());
        resources.add(stores);
        timeline.mark("content store");
        ContainerStore containers = new ContainerStore(metadata, namespaces, Clock.systemUTC());
        // every holder of references joins the collector before its first run
        stores.gc().addParticipant(new SnapshotGc(snapshots, snapshotters, metadata));
        stores.gc().addParticipant(new ContainerGc(containers));
        StoreMetrics storeMetrics = new StoreMetrics(meters).contentBytes(config.contentDir().resolve("blobs"));
        stores.gc().onCollected(storeMetrics::collected);
        // no pull runs yet: a pull lease left in the database died with the previous daemon
        ServerPull.releaseAbandoned(stores.leases());
        stores.gc().start(Duration.ofSeconds(60), Duration.ofSeconds(1));
        timeline.mark("gc");
        services.add(new ContainersService(containers, events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "containers"));
        Path home = Installation.home();
        Path runtime = config.runtime().binary() != null ? config.runtime().binary() : home.resolve("bin/jrunc");
        TaskManager tasks = new TaskManager(config.state(), containers, events,
                new ShimLauncher(home, config.state(), config.grpc().address(), runtime, config.runtime().inProcess()), runtime,
                config.shim());
        resources.add(tasks);
        timeline.mark("task manager");
        storeMetrics.shims(tasks::shimCount);
        tasks.recover();
        timeline.mark("shim recovery");
        services.add(new TasksService(tasks).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "tasks"));
        plugins.register(PluginInfo.hostOnly(PluginRegistry.RUNTIME, "task"));
        MountApplier applier = new MountApplier(new LayerApplier(), Mounter.linux(), config.state().resolve("tmpmounts"));
        LayerApply layerApply = new LayerApply(stores.content(), applier);
        services.add(new DiffService(layerApply, new LayerDiff(stores.content(),
                new Differ(Mounter.linux(), config.state().resolve("tmpmounts")))).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.DIFF, "walking"));
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "diff"));
        services.add(new ContentService(stores.content(), stores.gc(), events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "content"));
        services.add(new ImagesService(stores.images(), stores.gc(), events).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "images"));
        services.add(new LeasesService(stores.leases(), stores.gc()).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "leases"));
        // jcontainerd's own server-side pull (jcontainerd.pull.v1.Pull), used by jctr images pull
        ServerPull pull = new ServerPull(stores.content(), stores.images(), stores.leases(), namespaces, snapshots,
                snapshotters.names(), layerApply, events,
                DaemonRegistry.client(config.registry().configPath()),
                config.snapshotter(), config.pull().maxConcurrentDownloads(), Clock.systemUTC());
        resources.add(pull); // closed last of all: a second close is harmless
        longCalls.add(pull); // running pulls stop (Unavailable) before the daemon waits for its calls
        services.add(new PullService(pull, new PullMetrics(meters)).bindService());
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "pull"));
        timeline.mark("diff, content, images, leases, pull");
        // Kubernetes CRI v1 on the same socket, as containerd's cri plugin (namespace k8s.io); set up after the
        // socket answers (Daemon runs criStart): its calls wait for it meanwhile (WhenReady)
        // one network manager for CRI and the Docker facade (Daemon hands it to DockerEndpoint)
        DaemonNetwork network = new DaemonNetwork(config, containers);
        CompletableFuture<ServerServiceDefinition> criRuntime = new CompletableFuture<>();
        CompletableFuture<ServerServiceDefinition> criImages = new CompletableFuture<>();
        services.add(WhenReady.service(RuntimeServiceGrpc.getServiceDescriptor(), criRuntime));
        services.add(WhenReady.service(ImageServiceGrpc.getServiceDescriptor(), criImages));
        plugins.register(PluginInfo.ok(PluginRegistry.GRPC, "cri"));
        LateStart cri = late -> {
            try {
                Cri c = Cri.open(config, containers, stores.images(), stores.content(), snapshots, tasks, pull, network, events);
                late.add(c.streamServer());
                late.add(c.events());
                criRuntime.complete(new CriRuntimeService(c).bindService());
                criImages.complete(new CriImageService(c.images()).bindService());
            } catch (RuntimeException | Error e) {
                criRuntime.completeExceptionally(e);
                criImages.completeExceptionally(e);
                throw e;
            }
        };

        for (Map.Entry<String, ServiceDescriptor> e : Unimplemented.SERVICES.entrySet()) {
            services.add(NotYetImplemented.service(e.getValue()));
            plugins.register(PluginInfo.failed(PluginRegistry.GRPC, e.getKey(), "not implemented by jcontainerd yet"));
        }
        return new Catalog(services, network, cri);
    }

    /** A part of the start that runs once the socket answers; what it opens goes to {@code late}, closed at shutdown. */
    interface LateStart {
        void run(List<AutoCloseable> late);
    }

    /**
     * The services to serve, the daemon's one network manager (opened at first use) and the CRI's set-up,
     * which the daemon runs after its socket answers (the CRI services wait for it).
     */
    record Catalog(List<ServerServiceDefinition> services, DaemonNetwork network, LateStart criStart) {
    }
}
