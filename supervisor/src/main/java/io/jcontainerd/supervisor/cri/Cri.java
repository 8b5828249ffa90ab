package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.pull.ServerPull;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.tasks.TaskManager;

import java.time.Clock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The CRI's parts, built once by the daemon: images, pod sandboxes, containers, pod stats, container
 * events (from the daemon's event bus, on which the CRI's records' creation and deletion are published), network readiness,
 * and the streaming server the Exec, Attach and PortForward URLs point to.
 * The network manager is the daemon's one (shared with the Docker facade), asked for at the first
 * pod (so a daemon whose CNI plugins or subnet are unusable still serves everything else, and
 * Status says why pods cannot run).
 */
public record Cri(CriImages images, PodSandboxes sandboxes, PodContainers containers, PodStats stats, PodMetrics metrics,
                  CriEvents events, PodCidrs podCidrs, NetworkReadiness network, ContainerStreams streams, StreamServer streamServer) {
    private static final Logger LOG = Logger.getLogger(Cri.class.getName());

    public static Cri open(DaemonConfig config, ContainerStore containerStore, ImageStore imageStore, NamespacedContentStore content,
                           NamespacedSnapshots snapshots, TaskManager tasks, ServerPull pull, Supplier<NetworkManager> network,
                           EventExchange events) {
        CriImages images = new CriImages(imageStore, content, pull, config.snapshotter(), config.snapshotsDir(config.snapshotter()));
        CriRecords records = new CriRecords(containerStore, events);
        PodSandboxes sandboxes = new PodSandboxes(records, tasks, snapshots, images, network, config.cri().sandboxImage(),
                OomScoreFloor.of(config.cri().restrictOomScoreAdj()),
                config.state().resolve("cri").resolve("sandboxes"), Clock.systemUTC());
        PodContainers containers = new PodContainers(records, tasks, snapshots, images, sandboxes,
                config.state().resolve("cri").resolve("io"), config.cri().deviceOwnershipFromSecurityContext(), Clock.systemUTC());
        int reattached = containers.reattachLogs();
        if (reattached > 0) {
            LOG.info(() -> "reattached the log copy of " + reattached + " running CRI containers");
        }
        ContainerStreams streams = new ContainerStreams(records, tasks, sandboxes, containers, config.state().resolve("cri").resolve("io"));
        StreamServer server = StreamServer.start(config.cri().streamServerAddress(), config.cri().streamServerPort(),
                config.cri().streamIdleTimeout(), StreamTlsContext.of(config.cri()), streams, Clock.systemUTC());
        LOG.info(() -> "CRI streaming server (exec, attach, port-forward) on " + server.base());
        return new Cri(images, sandboxes, containers, new PodStats(records, sandboxes, containers, tasks, Clock.systemUTC()),
                new PodMetrics(records, sandboxes, tasks, Clock.systemUTC()), new CriEvents(events, records, sandboxes, containers),
                new PodCidrs(config.network().subnet()), new NetworkReadiness(config.network().pluginDirs()), streams, server);
    }
}
