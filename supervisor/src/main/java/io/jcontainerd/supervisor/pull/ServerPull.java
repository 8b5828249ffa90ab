package io.jcontainerd.supervisor.pull;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.ImageUpdate;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.pull.ImagePuller;
import io.jcontainerd.content.pull.LayerListener;
import io.jcontainerd.content.pull.PullOptions;
import io.jcontainerd.content.pull.PullResult;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.diff.LayerApply;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.supervisor.images.ImageRecord;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.images.ImageTarget;
import io.jcontainerd.supervisor.leases.LeaseRecord;
import io.jcontainerd.supervisor.leases.LeaseStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Pulls an image on the daemon, into one namespace: downloads through the {@link ImagePuller}
 * into the namespace's content (each blob recorded and held by a lease for the pull's duration),
 * unpacks while downloading ({@link Unpacker}), stores containerd's GC labels on the blobs, then
 * creates or updates the image record and publishes {@code /images/create} or {@code /images/update}.
 * The lease goes at the end, when the image record and labels protect everything. What is already
 * present is neither downloaded nor unpacked again.
 *
 * <p>{@link #close} (daemon shutdown) refuses new pulls and stops running ones at their next
 * progress event with Unavailable, then waits for them to release their leases, so nothing touches
 * the metadata after it closes. A pull killed with the daemon (SIGKILL, a crash) cannot release its
 * lease; {@link #releaseAbandoned} does at the next start, before the first collection.
 */
public final class ServerPull implements AutoCloseable {
    /** The namespace label containerd's clients read for the snapshotter to unpack into. */
    public static final String DEFAULT_SNAPSHOTTER_LABEL = "containerd.io/defaults/snapshotter";
    /** The label on the lease of a server-side pull (value: the reference): the daemon owns that lease. */
    public static final String PULL_LEASE_LABEL = "jcontainerd.io/pull";
    private static final Duration LEASE_EXPIRY = Duration.ofHours(24);
    private static final Logger LOG = Logger.getLogger(ServerPull.class.getName());

    private final NamespacedContentStore content;
    private final ImageStore images;
    private final LeaseStore leases;
    private final NamespaceStore namespaces;
    private final NamespacedSnapshots snapshots;
    private final Set<String> snapshotters;
    private final LayerApply apply;
    private final EventExchange events;
    private final RegistryClient registry;
    private final String defaultSnapshotter;
    private final int defaultConcurrency;
    private final Clock clock;
    private final Object activity = new Object();
    private int running;
    private boolean stopping;

    public ServerPull(NamespacedContentStore content, ImageStore images, LeaseStore leases, NamespaceStore namespaces,
                      NamespacedSnapshots snapshots, Set<String> snapshotters, LayerApply apply, EventExchange events,
                      RegistryClient registry, String defaultSnapshotter, int defaultConcurrency, Clock clock) {
        this.content = content;
        this.images = images;
        this.leases = leases;
        this.namespaces = namespaces;
        this.snapshots = snapshots;
        this.snapshotters = Set.copyOf(snapshotters);
        this.apply = apply;
        this.events = events;
        this.registry = registry;
        this.defaultSnapshotter = defaultSnapshotter;
        this.defaultConcurrency = defaultConcurrency;
        this.clock = clock;
    }

    public PullOutcome pull(String ns, PullSpec spec, PullObserver client) {
        return pull(ns, spec, client, null);
    }

    /** A pull with {@code login} asked first for registry credentials (null: the daemon's own only); nothing keeps it. */
    public PullOutcome pull(String ns, PullSpec spec, PullObserver client, CredentialStore login) {
        synchronized (activity) {
            if (stopping) {
                throw shuttingDown();
            }
            running++;
        }
        try {
            return pullRunning(ns, spec, stopsWithTheDaemon(client), login == null ? registry : registry.withCredentials(login));
        } finally {
            synchronized (activity) {
                running--;
                activity.notifyAll();
            }
        }
    }

    /** The client's observer, which also ends the pull (Unavailable) once the daemon stops. */
    private PullObserver stopsWithTheDaemon(PullObserver client) {
        return new PullObserver() {
            @Override
            public void onProgress(io.jcontainerd.content.pull.PullProgress progress) {
                checkRunning();
                client.onProgress(progress);
            }

            @Override
            public void onUnpack(Descriptor layer, boolean finished) {
                checkRunning();
                client.onUnpack(layer, finished);
            }
        };
    }

    private void checkRunning() {
        synchronized (activity) {
            if (stopping) {
                throw shuttingDown();
            }
        }
    }

    private static JcdException shuttingDown() {
        return JcdException.unavailable("jcontainerd is shutting down: the pull stopped; pull again once it has restarted "
                + "(what was downloaded is kept and resumed)");
    }

    /** Refuses new pulls, stops the running ones and waits up to 10 s for them to end. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        synchronized (activity) {
            stopping = true;
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    int n = running;
                    LOG.warning(() -> n + " pulls still running 10 s after the daemon began to stop: closing under them");
                    return;
                }
                try {
                    activity.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private PullOutcome pullRunning(String ns, PullSpec spec, PullObserver observer, RegistryClient registry) {
        long started = System.nanoTime();
        ImageReference ref = ImageReference.parse(spec.reference());
        String snapshotter = spec.unpack() ? snapshotterFor(ns, spec.snapshotter()) : "";
        int concurrency = spec.maxConcurrentDownloads() > 0 ? spec.maxConcurrentDownloads() : defaultConcurrency;
        namespaces.ensure(ns);
        String expires = clock.instant().plus(LEASE_EXPIRY).toString();
        LeaseRecord lease = leases.create(ns, "", Map.of(LeaseRecord.EXPIRE_LABEL, expires, PULL_LEASE_LABEL, ref.toString()));
        try {
            Unpacker unpacker = spec.unpack()
                    ? new Unpacker(ns, snapshotter, content, snapshots, apply, lease.id(), observer) : null;
            NamespaceContentView view = new NamespaceContentView(content, ns, lease.id(),
                    unpacker == null ? d -> { } : unpacker::blobCommitted);
            PullOptions options = PullOptions.defaults().withPlatforms(spec.platforms()).withConcurrency(concurrency)
                    .withListener(observer::onProgress)
                    .withLayerListener(unpacker == null ? LayerListener.NONE : unpacker);
            PullResult result;
            try {
                result = new ImagePuller(registry, view).pull(ref, options);
            } catch (RuntimeException e) {
                if (unpacker != null) {
                    unpacker.cancel();
                }
                throw e;
            }
            storeLabels(ns, result.labels());
            List<UnpackedImage> unpacked = unpacker == null ? List.of() : unpacker.await();
            ImageRecord image = createOrUpdate(ns, ref.toString(), result.root());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            LOG.info(() -> "namespace=" + ns + " pulled " + image.name() + " " + result.root().digest() + ": "
                    + result.bytesDownloaded() + " bytes downloaded, " + result.blobsFetched() + " blobs fetched, "
                    + result.blobsExisting() + " present" + (unpacker == null ? "" : ", unpacked into " + snapshotter)
                    + " in " + elapsed.toMillis() + " ms (downloads done after " + result.elapsed().toMillis() + " ms)");
            return new PullOutcome(image, result, snapshotter, unpacked, elapsed);
        } catch (RuntimeException e) {
            LOG.info(() -> "namespace=" + ns + " pull of " + ref + " failed after "
                    + (System.nanoTime() - started) / 1_000_000 + " ms: " + e.getMessage());
            throw e;
        } finally {
            try {
                leases.delete(ns, lease.id());
            } catch (NotFoundException expiredMeanwhile) {
                // the collector removed it after 24 h: nothing left to release
            }
        }
    }

    /**
     * Deletes the leases of server-side pulls a previous daemon left (it died with them running);
     * called at start-up before any pull runs, so every such lease is abandoned. What only those
     * leases held (partial layers, an {@code extract-...} snapshot) goes at the next collection;
     * unfinished downloads stay resumable until the collector aborts idle ingests.
     */
    public static int releaseAbandoned(LeaseStore leases) {
        List<String[]> abandoned = new java.util.ArrayList<>();
        leases.forEach((ns, lease) -> {
            if (lease.labels().containsKey(PULL_LEASE_LABEL)) {
                abandoned.add(new String[]{ns, lease.id(), lease.labels().get(PULL_LEASE_LABEL)});
            }
        });
        int released = 0;
        for (String[] a : abandoned) {
            try {
                leases.delete(a[0], a[1]);
                released++;
                LOG.info(() -> "namespace=" + a[0] + " released lease " + a[1] + " of a pull of " + a[2]
                        + " that died with the previous daemon; pull again to finish it");
            } catch (NotFoundException gone) {
                // deleted meanwhile
            }
        }
        return released;
    }

    /** The request's snapshotter, else the namespace's default label, else the daemon's default. */
    String snapshotterFor(String ns, String requested) {
        String name = !requested.isEmpty() ? requested
                : namespaces.get(ns).labels().getOrDefault(DEFAULT_SNAPSHOTTER_LABEL, defaultSnapshotter);
        if (!snapshotters.contains(name)) {
            throw JcdException.invalidArgument("snapshotter not loaded: %s (loaded: %s)", name, snapshotters);
        }
        return name;
    }

    private void storeLabels(String ns, Map<Digest, Map<String, String>> labels) {
        labels.forEach((digest, set) -> {
            if (!set.isEmpty() && content.exists(ns, digest)) {
                content.update(ns, digest, set, set.keySet().stream().map(k -> "labels." + k).toList());
            }
        });
    }

    private ImageRecord createOrUpdate(String ns, String name, Descriptor root) {
        ImageTarget target = new ImageTarget(root.mediaType(), root.digest().toString(), root.size(), root.annotations());
        try {
            ImageRecord r = images.create(ns, name, Map.of(), target);
            events.publish(ns, "/images/create", ImageCreate.newBuilder().setName(r.name()).putAllLabels(r.labels()).build());
            return r;
        } catch (AlreadyExistsException exists) {
            ImageRecord r = images.update(ns, name, Map.of(), target, List.of("target"));
            events.publish(ns, "/images/update", ImageUpdate.newBuilder().setName(r.name()).putAllLabels(r.labels()).build());
            return r;
        }
    }
}
