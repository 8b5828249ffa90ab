package io.jcontainerd.supervisor.daemon;

import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.supervisor.grpc.CallMetrics;
import io.jcontainerd.supervisor.grpc.InlineCalls;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.UnixGrpcServer;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;
import io.jcontainerd.supervisor.plugins.PluginRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.jcontainerd.supervisor.metrics.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The running supervisor: checks its directories and sockets, opens the metadata store, wires the
 * services and serves them. What no first call needs is set up after the gRPC socket answers, on a
 * thread of its own ({@link #ready}): the CRI (its calls wait for it meanwhile) and the Docker facade
 * (its socket listens only once the facade can serve). {@link #close} stops in reverse order.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final DaemonConfig config;
    private final MetadataStore metadata;
    private final UnixGrpcServer grpc;
    private final HealthStatusManager health;
    private final MeterRegistry meters;
    private final List<AutoCloseable> resources;
    private final List<AutoCloseable> longCalls;
    /** What the set-up after the socket answered opened (CRI, Docker facade), closed before {@link #resources}. */
    private final List<AutoCloseable> late = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private boolean closed;

    private Daemon(DaemonConfig config, MetadataStore metadata, UnixGrpcServer grpc, HealthStatusManager health,
                   MeterRegistry meters, List<AutoCloseable> resources, List<AutoCloseable> longCalls) {
        this.resources = resources;
        this.longCalls = longCalls;
        this.config = config;
        this.metadata = metadata;
        this.grpc = grpc;
        this.health = health;
        this.meters = meters;
    }

    public static Daemon start(DaemonConfig config) {
        return start(config, StartTimeline.sinceProcessStart());
    }

    /** Starts as {@link #start(DaemonConfig)}, marking each step on {@code timeline} (logged when serving). */
    public static Daemon start(DaemonConfig config, StartTimeline timeline) {
        Directories.prepareWritable("root", config.root());
        Directories.prepareWritable("state", config.state());
        Directories.tighten(config);
        if (SocketGuard.claim(config.grpc().address())) {
            LOG.info(() -> "removed stale socket " + config.grpc().address());
        }
        timeline.mark("directories");
        MetadataStore metadata = MetadataStore.open(config.metadataDir());
        timeline.mark("metadata (RocksDB)");
        List<AutoCloseable> resources = new ArrayList<>();
        List<AutoCloseable> longCalls = new ArrayList<>();
        try {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PluginRegistry plugins = new PluginRegistry();
            HealthStatusManager health = new HealthStatusManager();
            List<ServerServiceDefinition> services = new ArrayList<>();
            timeline.mark("meters");
            ServiceCatalog.Catalog catalog = ServiceCatalog.build(config, metadata, new NamespaceStore(metadata), plugins, meters, resources, longCalls,
                    timeline);
            services.addAll(catalog.services());
            services.add(health.getHealthService().bindService());
            // before the gRPC server: a refused metrics address stops the start with nothing served
            if (config.metrics().enabled()) {
                MetricsEndpoint endpoint = MetricsEndpoint.start(config.metrics().host(), config.metrics().port(), meters);
                resources.add(endpoint);
                LOG.info(() -> "metrics on http://" + config.metrics().host() + ":" + endpoint.address().getPort() + MetricsEndpoint.PATH);
                timeline.mark("metrics endpoint");
            }
            List<io.grpc.ServerInterceptor> interceptors = List.of(new RequestContext(), new CallMetrics(meters));
            if (config.docker().enabled()) {
                // a Docker socket another daemon serves stops the start here, with nothing served
                DockerEndpoint.claim(config);
            }
            UnixGrpcServer grpc = UnixGrpcServer.start(config.grpc().address(), config.grpc().maxRecvMessageSize(),
                    config.grpc().maxSendMessageSize(), services, interceptors, InlineCalls.CONTAINERD_READS);
            timeline.mark("gRPC server");
            LOG.info(() -> "jcontainerd serving on " + config.grpc().address() + " (root " + config.root()
                    + ", state " + config.state() + ") " + timeline.totalMillis() + " ms after the process started: " + timeline);
            Daemon daemon = new Daemon(config, metadata, grpc, health, meters, resources, longCalls);
            daemon.startLate(catalog, services, interceptors, timeline);
            return daemon;
        } catch (RuntimeException e) {
            closeAll(resources);
            metadata.close();
            throw e;
        }
    }

    /** The CRI and then the Docker facade (a client of every service, CRI's included), on a thread of their own. */
    private void startLate(ServiceCatalog.Catalog catalog, List<ServerServiceDefinition> services,
                           List<io.grpc.ServerInterceptor> interceptors, StartTimeline timeline) {
        Thread.ofPlatform().name("start-up: CRI, Docker API").start(() -> {
            long began = System.nanoTime();
            try {
                catalog.criStart().run(late);
                long cri = System.nanoTime();
                if (config.docker().enabled()) {
                    // the Docker facade is a client of the same services, over an in-process channel
                    late.add(DockerEndpoint.start(config, services, interceptors, metadata.serverUuid(), catalog.network()));
                }
                long end = System.nanoTime();
                LOG.info(() -> "CRI" + (config.docker().enabled() ? " and the Docker API" : "") + " ready "
                        + (timeline.totalMillis() + (end - began) / 1_000_000) + " ms after the process started (CRI "
                        + (cri - began) / 1_000_000 + " ms, Docker API " + (end - cri) / 1_000_000 + " ms, after the socket answered)");
                ready.complete(null);
            } catch (RuntimeException | Error e) {
                ready.completeExceptionally(e);
            }
        });
    }

    /**
     * Completes when everything set up after the socket answered is ready (CRI, the Docker facade), or
     * exceptionally with why it could not start: the daemon must then be closed (its start failed).
     */
    public CompletableFuture<Void> ready() {
        return ready.copy();
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warning(() -> "closing " + r + ": " + e);
            }
        }
    }

    public DaemonConfig config() {
        return config;
    }

    public MeterRegistry meters() {
        return meters;
    }

    /**
     * Stops in this order: the set-up after the socket answered ends first (nothing is closed under
     * it), no new calls (a late one gets UNAVAILABLE), running pulls end with UNAVAILABLE and release
     * their leases, the calls in progress finish (up to 2 s, then they are cancelled), the Docker facade
     * and the CRI close, then the services' resources (tasks, collector, snapshotters), and the metadata
     * database closes last (a straggler that still reaches it gets UNAVAILABLE, never freed memory).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warning("the CRI and Docker API set-up did not end within 60 s; stopping anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // it failed: what it opened is in late, closed below
        }
        health.enterTerminalState();
        grpc.shutdown();
        closeAll(longCalls);
        grpc.awaitTermination(2000);
        closeAll(List.copyOf(late));
        closeAll(resources);
        metadata.close();
        DaemonLogging.finalLine("Daemon", "jcontainerd stopped; removed " + config.grpc().address());
    }
}
