package io.jcontainerd.supervisor.leases;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Json;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Leases per namespace, as containerd's metadata/leases.go: family LEASES holds
 * {@code <ns> NUL <id>} → the lease, family LEASE_REFS holds one empty value per resource,
 * {@code <ns> NUL <id> NUL <type> NUL <resource id>}. Every change takes the read side of the
 * collection lock, so the garbage collector (the write side) sees leases and their resources
 * either before or after a change, never half of it; a deletion takes the write side, as the
 * collector's expiry does, so no add of a resource is half done when its lease goes.
 */
public final class LeaseStore {
    private static final byte[] EMPTY = new byte[0];

    private final MetadataStore db;
    private final NamespaceStore namespaces;
    private final Clock clock;

    public LeaseStore(MetadataStore db, NamespaceStore namespaces, Clock clock) {
        this.db = db;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    /** Creates a lease; an empty id gets a generated one. AlreadyExists if the id is taken. */
    public LeaseRecord create(String ns, String id, Map<String, String> labels) {
        String leaseId = id == null || id.isEmpty() ? LeaseIds.generate(clock.instant()) : checkId(id);
        Labels.validate(labels);
        return namespaces.writeIn(ns, () -> {
            synchronized (this) {
                if (db.get(Family.LEASES, Keys.of(ns, leaseId)) != null) {
                    throw JcdException.alreadyExists("lease %s in namespace %s: already exists", leaseId, ns);
                }
                Map<String, String> kept = new HashMap<>(labels);
                kept.values().removeIf(String::isEmpty);
                LeaseRecord r = new LeaseRecord(leaseId, kept, clock.instant());
                db.put(Family.LEASES, Keys.of(ns, leaseId), Json.write(Stored.of(r)));
                return r;
            }
        });
    }

    public Optional<LeaseRecord> find(String ns, String id) {
        byte[] v = db.get(Family.LEASES, Keys.of(ns, id));
        return v == null ? Optional.empty() : Optional.of(Json.read(v, Stored.class).toRecord());
    }

    public LeaseRecord get(String ns, String id) {
        return find(ns, id).orElseThrow(() -> notFound(ns, id));
    }

    public List<LeaseRecord> list(String ns, Filter filter) {
        List<LeaseRecord> out = new ArrayList<>();
        db.scan(Family.LEASES, Keys.prefix(ns), (k, v) -> {
            LeaseRecord r = Json.read(v, Stored.class).toRecord();
            if (filter.matches(path -> field(r, path))) {
                out.add(r);
            }
        });
        return out;
    }

    /**
     * Deletes the lease and its resource list; NotFound if there is none. Under the write side of
     * the collection lock ({@link io.jcontainerd.supervisor.metadata.ChangeLocks#removal}): every
     * add of a resource (here, in the content store, in the snapshots) holds the read side from its
     * check that the lease exists to its write, so it lands before the deletion (and goes with the
     * lease) or after it (and fails NotFound), never leaving a resource under a deleted lease.
     *
     * @return the lease's resources that still exist (content, snapshots, ingests): what a collection
     *         may now free; resources already removed are left out
     */
    public List<LeaseResource> delete(String ns, String id) {
        return namespaces.locks().removal(ns, () -> {
            synchronized (this) {
                if (db.get(Family.LEASES, Keys.of(ns, id)) == null) {
                    throw notFound(ns, id);
                }
                List<LeaseResource> released = resources(ns, id).stream().filter(r -> stillExists(ns, r)).toList();
                remove(ns, id);
                return released;
            }
        });
    }

    /** Whether a resource of a lease is still recorded; an ingest counts as existing (the backend holds those). */
    private boolean stillExists(String ns, LeaseResource r) {
        if (r.isContent()) {
            return db.get(Family.CONTENT, Keys.of(ns, Digest.parse(r.id()).toString())) != null; // as ContentRecords keys it
        }
        if (r.isSnapshot()) {
            return db.get(Family.SNAPSHOTS, Keys.of(ns, r.snapshotter(), r.id())) != null;
        }
        return true;
    }

    /** Removes a lease if present; for the garbage collector, which holds the write lock. */
    public synchronized void remove(String ns, String id) {
        List<byte[]> refs = new ArrayList<>();
        db.scan(Family.LEASE_REFS, Keys.prefix(ns, id), (k, v) -> refs.add(k));
        db.write(b -> {
            refs.forEach(k -> b.delete(Family.LEASE_REFS, k));
            b.delete(Family.LEASES, Keys.of(ns, id));
        });
    }

    public void addResource(String ns, String id, LeaseResource resource) {
        namespaces.locks().change(ns, () -> {
            synchronized (this) {
                db.write(b -> attach(b, ns, id, resource));
            }
        });
    }

    /**
     * Adds {@code resource} to the lease inside a caller's batch (the content store commits a blob
     * and leases it in one write). The caller holds the read side of the collection lock.
     * NotFound if the lease does not exist.
     */
    public synchronized void attach(MetadataStore.Batch batch, String ns, String id, LeaseResource resource) {
        if (db.get(Family.LEASES, Keys.of(ns, id)) == null) {
            throw JcdException.notFound("lease %s in namespace %s: not found (it was deleted or never created); "
                    + "create it before using it in the containerd-lease header", id, ns);
        }
        batch.put(Family.LEASE_REFS, refKey(ns, id, resource), EMPTY);
    }

    /** Removes {@code resource} from the lease inside a caller's batch (a committed ingest becomes content). */
    public synchronized void detach(MetadataStore.Batch batch, String ns, String id, LeaseResource resource) {
        batch.delete(Family.LEASE_REFS, refKey(ns, id, resource));
    }

    /** Removes a resource from the lease; NotFound if the lease does not exist, nothing if it lacks the resource. */
    public void deleteResource(String ns, String id, LeaseResource resource) {
        namespaces.locks().change(ns, () -> {
            synchronized (this) {
                if (db.get(Family.LEASES, Keys.of(ns, id)) == null) {
                    throw notFound(ns, id);
                }
                db.delete(Family.LEASE_REFS, refKey(ns, id, resource));
            }
        });
    }

    public List<LeaseResource> listResources(String ns, String id) {
        if (db.get(Family.LEASES, Keys.of(ns, id)) == null) {
            throw notFound(ns, id);
        }
        return resources(ns, id);
    }

    /** The resources of a lease (none if it does not exist). */
    public List<LeaseResource> resources(String ns, String id) {
        List<LeaseResource> out = new ArrayList<>();
        db.scan(Family.LEASE_REFS, Keys.prefix(ns, id), (k, v) -> {
            List<String> parts = Keys.split(k);
            out.add(new LeaseResource(parts.get(2), parts.get(3)));
        });
        return out;
    }

    /** Every lease of every namespace, for the garbage collector. */
    public void forEach(BiConsumer<String, LeaseRecord> visitor) {
        db.scan(Family.LEASES, new byte[0], (k, v) -> visitor.accept(Keys.split(k).getFirst(), Json.read(v, Stored.class).toRecord()));
    }

    private static byte[] refKey(String ns, String id, LeaseResource r) {
        return Keys.of(ns, id, r.type(), r.id());
    }

    private static String checkId(String id) {
        if (id.indexOf('\0') >= 0 || id.length() > 256) {
            throw JcdException.invalidArgument("lease id \"%s\" must be at most 256 characters and contain no NUL", id);
        }
        return id;
    }

    private static JcdException notFound(String ns, String id) {
        return JcdException.notFound("lease %s in namespace %s: not found", id, ns);
    }

    static Optional<String> field(LeaseRecord r, List<String> path) {
        if (path.size() == 1 && path.getFirst().equals("id")) {
            return Optional.of(r.id());
        }
        if (path.size() >= 2 && path.getFirst().equals("labels")) {
            return Optional.ofNullable(r.labels().get(String.join(".", path.subList(1, path.size()))));
        }
        return Optional.empty();
    }

    /** The stored form: instants as ISO-8601 text (the metadata JSON has no java.time module). */
    private record Stored(String id, Map<String, String> labels, String createdAt) {
        static Stored of(LeaseRecord r) {
            return new Stored(r.id(), r.labels(), r.createdAt().toString());
        }

        LeaseRecord toRecord() {
            return new LeaseRecord(id, labels, Instant.parse(createdAt));
        }
    }
}
