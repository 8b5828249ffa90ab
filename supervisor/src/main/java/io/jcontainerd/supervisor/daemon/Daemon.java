package io.jcontainerd.supervisor.daemon;

import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.supervisor.grpc.CallMetrics;
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
import java.util.List;
import java.util.logging.Logger;

/**
 * The running supervisor: checks its directories and socket, opens the metadata store, wires
 * the services and serves them. {@link #close} stops in reverse order.
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
        long started = System.nanoTime();
        Directories.prepareWritable("root", config.root());
        Directories.prepareWritable("state", config.state());
        Directories.tighten(config);
        if (SocketGuard.claim(config.grpc().address())) {
            LOG.info(() -> "removed stale socket " + config.grpc().address());
        }
        MetadataStore metadata = MetadataStore.open(config.metadataDir());
        List<AutoCloseable> resources = new ArrayList<>();
        List<AutoCloseable> longCalls = new ArrayList<>();
        try {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PluginRegistry plugins = new PluginRegistry();
            HealthStatusManager health = new HealthStatusManager();
            List<ServerServiceDefinition> services = new ArrayList<>();
            ServiceCatalog.Catalog catalog = ServiceCatalog.build(config, metadata, new NamespaceStore(metadata), plugins, meters, resources, longCalls);
            services.addAll(catalog.services());
            services.add(health.getHealthService().bindService());
            // before the gRPC server: a refused metrics address stops the start with nothing served
            if (config.metrics().enabled()) {
                MetricsEndpoint endpoint = MetricsEndpoint.start(config.metrics().host(), config.metrics().port(), meters);
                resources.add(endpoint);
                LOG.info(() -> "metrics on http://" + config.metrics().host() + ":" + endpoint.address().getPort() + MetricsEndpoint.PATH);
            }
            List<io.grpc.ServerInterceptor> interceptors = List.of(new RequestContext(), new CallMetrics(meters));
            if (config.docker().enabled()) {
                // the Docker facade is a client of the same services, over an in-process channel
                resources.add(DockerEndpoint.start(config, services, interceptors, metadata.serverUuid(), catalog.network()));
            }
            UnixGrpcServer grpc = UnixGrpcServer.start(config.grpc().address(), config.grpc().maxRecvMessageSize(),
                    config.grpc().maxSendMessageSize(), services, interceptors);
            long ms = (System.nanoTime() - started) / 1_000_000;
            LOG.info(() -> "jcontainerd serving on " + config.grpc().address() + " (root " + config.root()
                    + ", state " + config.state() + ") after " + ms + " ms");
            return new Daemon(config, metadata, grpc, health, meters, resources, longCalls);
        } catch (RuntimeException e) {
            closeAll(resources);
            metadata.close();
            throw e;
        }
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
     * Stops in this order: no new calls (a late one gets UNAVAILABLE), running pulls end with
     * UNAVAILABLE and release their leases, the calls in progress finish (up to 2 s, then they are
     * cancelled), the services' resources close (tasks, collector, snapshotters), and the metadata
     * database closes last (a straggler that still reaches it gets UNAVAILABLE, never freed memory).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.enterTerminalState();
        grpc.shutdown();
        closeAll(longCalls);
        grpc.awaitTermination(2000);
        closeAll(resources);
        metadata.close();
        DaemonLogging.finalLine("Daemon", "jcontainerd stopped; removed " + config.grpc().address());
    }
}
