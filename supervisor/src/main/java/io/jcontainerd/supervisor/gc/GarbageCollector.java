package io.jcontainerd.supervisor.gc;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.supervisor.content.ContentRecords;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.leases.LeaseRecord;
import io.jcontainerd.supervisor.leases.LeaseResource;
import io.jcontainerd.supervisor.leases.LeaseStore;
import io.jcontainerd.supervisor.metadata.MetadataStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mark and sweep over the metadata, as containerd's metadata/gc.go, holding the write side of the
 * collection lock (every change of references holds the read side, so the collector sees a
 * consistent graph and a commit never loses its blob between publish and record).
 *
 * <ol>
 *   <li>Leases whose {@code containerd.io/gc.expire} time has passed are deleted.</li>
 *   <li>Roots: image targets (and the image's gc.ref labels), every resource of every lease, content
 *       labelled {@code containerd.io/gc.root}, and whatever the {@link GcParticipant}s name.</li>
 *   <li>Marking follows {@link GcLabels} references on content transitively (per namespace).</li>
 *   <li>Content records not marked are removed per namespace; then a backend blob that no
 *       namespace records any more is deleted; participants sweep their own resources.</li>
 *   <li>Unfinished ingests no lease holds are aborted once idle for {@link #INGEST_IDLE}.</li>
 * </ol>
 * Runs on demand ({@link #collect}), periodically, and shortly after deletions ({@link #scheduleSoon}).
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
    /** How long an unleased ingest may sit idle before the collector aborts it. */
    public static final Duration INGEST_IDLE = Duration.ofHours(24);

    private final MetadataStore db;
    private final ContentRecords content;
    private final ContentStore backend;
    private final ImageStore images;
    private final LeaseStore leases;
    private final Lock exclusive;
    private final Clock clock;
    private final List<GcParticipant> participants = new CopyOnWriteArrayList<>();
    private final AtomicBoolean soonPending = new AtomicBoolean();
    private ScheduledExecutorService scheduler;
    private Duration soonDelay = Duration.ofSeconds(1);

    public GarbageCollector(MetadataStore db, ContentRecords content, ContentStore backend, ImageStore images, LeaseStore leases,
                            ReadWriteLock collection, Clock clock) {
        this.db = db;
        this.content = content;
        this.backend = backend;
        this.images = images;
        this.leases = leases;
        this.exclusive = collection.writeLock();
        this.clock = clock;
    }

    /** Adds resources owned elsewhere (snapshots, containers) to the graph. */
    public void addParticipant(GcParticipant participant) {
        participants.add(participant);
    }

    private volatile java.util.function.Consumer<GcResult> onCollected = r -> { };

    /** Called with the result of every collection (metrics), after the lock is released. */
    public void onCollected(java.util.function.Consumer<GcResult> listener) {
        this.onCollected = listener;
    }

    /** Collects now and returns what was removed. */
    public GcResult collect() {
        GcResult result = collectLocked();
        onCollected.accept(result);
        return result;
    }

    private GcResult collectLocked() {
        long started = System.nanoTime();
        exclusive.lock();
        try {
            int expired = expireLeases();
            Set<GcRef> marked = mark();
            int records = sweepRecords(marked);
            int others = 0;
            for (GcParticipant p : participants) {
                others += p.sweep(marked);
            }
            int blobs = sweepBlobs(); // content blobs: small files, one unlink each
            int ingests = sweepIngests();
            GcResult result = new GcResult(expired, records, blobs, ingests, others, Duration.ofNanos(System.nanoTime() - started));
            if (expired + records + blobs + ingests + others > 0) {
                LOG.info(() -> "garbage collection removed " + result.expiredLeases() + " expired leases, "
                        + result.contentRecords() + " content records, " + result.blobs() + " blobs, "
                        + result.ingests() + " stale ingests, "
                        + result.others() + " other resources in " + result.took().toMillis() + " ms");
            }
            return result;
        } finally {
            exclusive.unlock();
            afterCollection();
        }
    }

    /** The participants' slow part (deleting files), with the lock released. */
    private void afterCollection() {
        for (GcParticipant p : participants) {
            try {
                p.afterCollection();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "after garbage collection: " + e.getMessage(), e);
            }
        }
    }

    private int expireLeases() {
        Instant now = clock.instant();
        List<String[]> expired = new ArrayList<>();
        leases.forEach((ns, lease) -> {
            if (isExpired(lease, now)) {
                expired.add(new String[]{ns, lease.id()});
            }
        });
        expired.forEach(e -> leases.remove(e[0], e[1]));
        return expired.size();
    }

    static boolean isExpired(LeaseRecord lease, Instant now) {
        return lease.expireLabel().map(value -> {
            try {
                return OffsetDateTime.parse(value).toInstant().isBefore(now);
            } catch (DateTimeParseException e) {
                LOG.warning(() -> "lease " + lease.id() + " has an unreadable " + LeaseRecord.EXPIRE_LABEL + " \"" + value
                        + "\" (want RFC 3339, e.g. 2030-01-01T00:00:00Z): it never expires");
                return false;
            }
        }).orElse(false);
    }

    private Set<GcRef> mark() {
        Set<GcRef> marked = new HashSet<>();
        Deque<GcRef> todo = new ArrayDeque<>();
        Consumer<GcRef> reach = ref -> {
            if (marked.add(ref)) {
                todo.add(ref);
            }
        };
        images.forEach((ns, image) -> {
            try {
                reach.accept(new GcRef.Content(ns, Digest.parse(image.target().digest())));
            } catch (JcdException badDigest) {
                LOG.warning(() -> "image " + image.name() + " in " + ns + " has an invalid target digest: it protects no content");
            }
            GcLabels.references(ns, image.labels(), reach);
        });
        leases.forEach((ns, lease) -> {
            for (LeaseResource r : leases.resources(ns, lease.id())) {
                if (r.isContent()) {
                    reach.accept(new GcRef.Content(ns, Digest.parse(r.id())));
                } else if (r.isSnapshot()) {
                    reach.accept(new GcRef.Snapshot(ns, r.snapshotter(), r.id()));
                }
            }
        });
        content.forEach((ns, info) -> {
            if (GcLabels.isRoot(info.labels())) {
                reach.accept(new GcRef.Content(ns, info.digest()));
            }
        });
        participants.forEach(p -> p.roots(reach));
        while (!todo.isEmpty()) {
            GcRef node = todo.poll();
            if (node instanceof GcRef.Content c) {
                content.find(c.namespace(), c.digest()).ifPresent(info -> GcLabels.references(c.namespace(), info.labels(), reach));
            }
            participants.forEach(p -> p.references(node, reach));
        }
        return marked;
    }

    private int sweepRecords(Set<GcRef> marked) {
        List<Map.Entry<String, Digest>> dead = new ArrayList<>();
        content.forEach((ns, info) -> {
            if (!marked.contains(new GcRef.Content(ns, info.digest()))) {
                dead.add(Map.entry(ns, info.digest()));
            }
        });
        if (!dead.isEmpty()) {
            db.write(b -> dead.forEach(e -> content.delete(b, e.getKey(), e.getValue())));
        }
        return dead.size();
    }

    private int sweepBlobs() {
        Set<Digest> recorded = new HashSet<>();
        content.forEach((ns, info) -> recorded.add(info.digest()));
        List<Digest> orphans = new ArrayList<>();
        backend.walk(info -> {
            if (!recorded.contains(info.digest())) {
                orphans.add(info.digest());
            }
        });
        int removed = 0;
        for (Digest d : orphans) {
            try {
                backend.delete(d);
                removed++;
            } catch (NotFoundException gone) {
                // removed meanwhile by someone else: nothing to do
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot remove unreferenced blob " + d + ": " + e.getMessage(), e);
            }
        }
        return removed;
    }

    /**
     * Aborts unfinished ingests that no lease holds and nobody has written to for {@link #INGEST_IDLE}
     * (containerd gives unleased ingests the same 24 hours). Ingests are namespaced in the backend
     * as {@code <ns>/<ref>}; anything else in the backend is not ours and stays.
     */
    private int sweepIngests() {
        Instant now = clock.instant();
        Set<String> leased = new HashSet<>();
        leases.forEach((ns, lease) -> leases.resources(ns, lease.id()).stream()
                .filter(r -> r.type().equals(LeaseResource.INGESTS))
                .forEach(r -> leased.add(ns + "/" + r.id())));
        int aborted = 0;
        for (IngestStatus s : backend.listStatuses()) {
            if (s.ref().indexOf('/') <= 0 || leased.contains(s.ref()) || s.updatedAt() == null
                    || !s.updatedAt().plus(INGEST_IDLE).isBefore(now)) {
                continue;
            }
            try {
                backend.abort(s.ref());
                aborted++;
            } catch (NotFoundException gone) {
                // committed or aborted meanwhile
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot abort stale ingest " + s.ref() + ": " + e.getMessage(), e);
            }
        }
        return aborted;
    }

    /**
     * Starts the background schedule: once {@code soon} after start (what a crash left unreferenced
     * goes, as containerd collects at start-up), every {@code period}, and {@code soon} after
     * {@link #scheduleSoon}.
     */
    public synchronized void start(Duration period, Duration soon) {
        if (scheduler != null) {
            return;
        }
        soonDelay = soon;
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("jcontainerd-gc").factory());
        scheduler.scheduleWithFixedDelay(this::collectQuietly, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        scheduleSoon();
    }

    /** Asks for a collection shortly (after a deletion); several requests in a row make one collection. */
    public synchronized void scheduleSoon() {
        if (scheduler != null && soonPending.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                soonPending.set(false);
                collectQuietly();
            }, soonDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Asks for a collection soon after a lease's deletion released {@code released} (those of its resources
     * that still exist in {@code ns}), unless a participant holds each of them as a root whatever refers to it
     * (a container's snapshot: ctr's lease ends once its container is created): the deletion then took no
     * reference a collection could act on, and a collection would only hold every change back while it ran.
     */
    public void scheduleSoonAfterRelease(String ns, List<LeaseResource> released) {
        for (LeaseResource r : released) {
            if (!r.isSnapshot() || participants.stream().noneMatch(p -> p.holds(new GcRef.Snapshot(ns, r.snapshotter(), r.id())))) {
                scheduleSoon();
                return;
            }
        }
    }

    /** Whether a collection asked for by {@link #scheduleSoon} has not started yet. */
    public boolean collectionPending() {
        return soonPending.get();
    }

    private void collectQuietly() {
        try {
            collect();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "background garbage collection failed (the next run retries): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }
}
