package io.jcontainerd.supervisor.content;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.ContentWriter;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.content.store.ReaderAt;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.supervisor.leases.LeaseResource;
import io.jcontainerd.supervisor.leases.LeaseStore;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content as namespaces see it, over a backend that knows nothing of namespaces (containerd's
 * metadata/content.go). A blob is visible in a namespace only while the namespace has a record of
 * it ({@link ContentRecords}); ingest refs are kept apart in the backend as {@code <ns>/<ref>}.
 * Deleting removes the namespace's record only: the garbage collector removes a backend blob once
 * no namespace records it.
 *
 * <p>Commit publishes the blob and records it (and leases it) while holding the read side of the
 * collection lock, so the collector never sees a published blob without its record.
 */
public final class NamespacedContentStore {
    private final MetadataStore db;
    private final NamespaceStore namespaces;
    private final ContentStore backend;
    private final ContentRecords records;
    private final LeaseStore leases;
    private final Clock clock;

    public NamespacedContentStore(MetadataStore db, NamespaceStore namespaces, ContentStore backend, LeaseStore leases,
                                  Clock clock) {
        this.db = db;
        this.namespaces = namespaces;
        this.backend = backend;
        this.records = new ContentRecords(db);
        this.leases = leases;
        this.clock = clock;
    }

    public ContentStore backend() {
        return backend;
    }

    public ContentRecords records() {
        return records;
    }

    public ContentInfo info(String ns, Digest digest) {
        return records.find(ns, digest).orElseThrow(() -> notFound(ns, digest));
    }

    public boolean exists(String ns, Digest digest) {
        return records.exists(ns, digest);
    }

    /**
     * The namespace's record of {@code digest}, leased to {@code lease} in the same change when there
     * is one: a pull that finds a blob present and skips its download holds it from that moment, so
     * the collector cannot take it before the image record protects it (the record may be held only
     * by a lease released meanwhile, e.g. the lease of a pull that died with the previous daemon).
     */
    public Optional<ContentInfo> findLeased(String ns, Digest digest, String lease) {
        return namespaces.locks().change(ns, () -> {
            Optional<ContentInfo> found = records.find(ns, digest);
            if (found.isPresent()) {
                db.write(b -> leases.attach(b, ns, lease, LeaseResource.content(digest)));
            }
            return found;
        });
    }

    /** The namespace's blobs matching the filter (fields {@code digest}, {@code size}, {@code labels.<key>}). */
    public void walk(String ns, Filter filter, Consumer<ContentInfo> visitor) {
        records.forEach(ns, info -> {
            if (filter.matches(path -> field(info, path))) {
                visitor.accept(info);
            }
        });
    }

    /**
     * Updates labels: no paths replaces them all; {@code labels} replaces them all; {@code labels.<key>}
     * sets one (an empty value deletes it). Any other path is InvalidArgument.
     */
    public ContentInfo update(String ns, Digest digest, Map<String, String> labels, List<String> paths) {
        return namespaces.locks().change(ns, () -> {
            synchronized (this) {
                ContentInfo current = info(ns, digest);
                Map<String, String> next = LabelPaths.apply(current.labels(), labels, paths,
                        "content " + digest);
                Labels.validate(next);
                ContentInfo updated = new ContentInfo(digest, current.size(), next, current.createdAt(), clock.instant());
                db.write(b -> records.put(b, ns, updated));
                return updated;
            }
        });
    }

    /** Removes the namespace's record (NotFound if none); the blob goes at the next collection if nobody else records it. */
    public void delete(String ns, Digest digest) {
        namespaces.locks().change(ns, () -> {
            synchronized (this) {
                if (!records.exists(ns, digest)) {
                    throw notFound(ns, digest);
                }
                db.write(b -> records.delete(b, ns, digest));
            }
        });
    }

    /** Random access to a blob the namespace records. */
    public ReaderAt readerAt(String ns, Digest digest) {
        info(ns, digest);
        return backend.readerAt(digest);
    }

    /**
     * Opens (or resumes) the namespace's ingest {@code ref}. When {@code expected} is already recorded
     * in the namespace the call fails AlreadyExists, after leasing the blob to {@code lease} so that a
     * client which skips the download still protects what it found (as containerd does).
     */
    public NamespacedWriter writer(String ns, String ref, long total, Digest expected, Optional<String> lease) {
        if (ref == null || ref.isEmpty()) {
            throw JcdException.invalidArgument("an ingest needs a non-empty ref (e.g. \"layer-sha256:...\")");
        }
        namespaces.ensure(ns);
        if (expected != null && leaseIfRecorded(ns, expected, lease)) {
            throw JcdException.alreadyExists("content %s: already exists in namespace %s", expected, ns);
        }
        lease.ifPresent(id -> leaseOnly(ns, id, LeaseResource.ingest(ref)));
        return new NamespacedWriter(this, ns, ref, openBackend(backendRef(ns, ref), total, expected), lease);
    }

    /**
     * The backend writer. The expected digest is passed on only while the backend lacks the blob:
     * the backend refuses to open a writer for a blob it has, but this namespace still has to write
     * it before it becomes visible here (containerd's non-shared policy).
     */
    private ContentWriter openBackend(String backendRef, long total, Digest expected) {
        if (expected != null && !backendHas(expected)) {
            try {
                return backend.writer(backendRef, total, expected);
            } catch (AlreadyExistsException committedMeanwhile) {
                // another namespace committed it a moment ago: write without expectation
            }
        }
        return backend.writer(backendRef, total, null);
    }

    private boolean backendHas(Digest digest) {
        try {
            backend.info(digest);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Whether the namespace records {@code digest}, and if so leases it, in one change: the collector
     * cannot remove the blob between the check and the lease (the client that skips the download
     * would then hold nothing, and find nothing).
     */
    private boolean leaseIfRecorded(String ns, Digest digest, Optional<String> lease) {
        if (lease.isPresent()) {
            return findLeased(ns, digest, lease.get()).isPresent();
        }
        return records.exists(ns, digest);
    }

    private void leaseOnly(String ns, String leaseId, LeaseResource resource) {
        namespaces.locks().change(ns, () -> db.write(b -> leases.attach(b, ns, leaseId, resource)));
    }

    /**
     * Commits a writer's data and records the blob in the namespace (the second part happens even
     * when the backend already had the blob). Returns the info; AlreadyExists if the namespace already
     * recorded it (the lease still gets it).
     */
    ContentInfo commit(NamespacedWriter w, long size, Digest expected, Map<String, String> labels) {
        Map<String, String> kept = new HashMap<>(labels == null ? Map.of() : labels);
        kept.values().removeIf(String::isEmpty);
        Labels.validate(kept);
        // the namespace may have been deleted since the writer opened: the commit creates it again
        return namespaces.writeIn(w.namespace(), () -> {
            long written = w.offset();
            Digest actual;
            try {
                actual = w.backend().commit(size, expected);
            } catch (AlreadyExistsException inBackend) {
                // verified and present already (maybe from another namespace): record it here too
                actual = expected != null ? expected : w.digestBeforeCommit();
            }
            Digest digest = actual;
            synchronized (this) {
                boolean known = records.exists(w.namespace(), digest);
                var now = clock.instant();
                ContentInfo info = new ContentInfo(digest, written, kept, now, now);
                db.write(b -> {
                    w.lease().ifPresent(id -> {
                        leases.attach(b, w.namespace(), id, LeaseResource.content(digest));
                        leases.detach(b, w.namespace(), id, LeaseResource.ingest(w.ref()));
                    });
                    if (!known) {
                        records.put(b, w.namespace(), info);
                    }
                });
                if (known) {
                    throw JcdException.alreadyExists("content %s: already exists in namespace %s", digest, w.namespace());
                }
                return info;
            }
        });
    }

    /** The namespace's unfinished ingests matching the filter (field {@code ref}), with the namespace's own refs. */
    public List<IngestStatus> listStatuses(String ns, Filter filter) {
        String prefix = ns + "/";
        List<IngestStatus> out = new ArrayList<>();
        for (IngestStatus s : backend.listStatuses()) {
            if (s.ref().startsWith(prefix)) {
                IngestStatus own = withRef(s, s.ref().substring(prefix.length()));
                if (filter.matches(path -> path.size() == 1 && path.getFirst().equals("ref")
                        ? Optional.of(own.ref()) : Optional.empty())) {
                    out.add(own);
                }
            }
        }
        return out;
    }

    public IngestStatus status(String ns, String ref) {
        try {
            return withRef(backend.status(backendRef(ns, ref)), ref);
        } catch (NotFoundException e) {
            throw JcdException.notFound("ingest ref \"%s\" in namespace %s: not found", ref, ns);
        }
    }

    public void abort(String ns, String ref) {
        try {
            backend.abort(backendRef(ns, ref));
        } catch (NotFoundException e) {
            throw JcdException.notFound("ingest ref \"%s\" in namespace %s: not found, nothing to abort", ref, ns);
        }
    }

    static IngestStatus withRef(IngestStatus s, String ref) {
        return new IngestStatus(ref, s.offset(), s.total(), s.expected(), s.startedAt(), s.updatedAt());
    }

    /** Namespace names are identifiers (no '/'), so the first '/' always ends the namespace. */
    static String backendRef(String ns, String ref) {
        return ns + "/" + ref;
    }

    private static JcdException notFound(String ns, Digest digest) {
        return JcdException.notFound("content %s in namespace %s: not found", digest, ns);
    }

    static Optional<String> field(ContentInfo info, List<String> path) {
        if (path.size() == 1) {
            return switch (path.getFirst()) {
                case "digest" -> Optional.of(info.digest().toString());
                case "size" -> Optional.of(Long.toString(info.size()));
                default -> Optional.empty();
            };
        }
        if (path.size() >= 2 && path.getFirst().equals("labels")) {
            return Optional.ofNullable(info.labels().get(String.join(".", path.subList(1, path.size()))));
        }
        return Optional.empty();
    }
}
