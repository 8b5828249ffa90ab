package io.jcontainerd.supervisor.containers;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.supervisor.metadata.DecodedRecords;
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
import java.util.function.Consumer;

/**
 * Containers per namespace, with containerd's rules (metadata/containers.go): ids are
 * identifiers, a runtime name and a spec are required, a snapshot key needs its snapshotter,
 * the snapshotter and runtime never change after creation. Create, update and delete hold the
 * namespace's lock and the collection lock ({@code NamespaceStore.locks()}) like every other
 * store, so a collection sees a container (and keeps its snapshot) or runs wholly before it.
 */
public final class ContainerStore {
    /** Decoded records kept at most (one per container a client is working with). */
    static final int DECODED_MAX = 1024;
    private final MetadataStore db;
    private final NamespaceStore namespaces;
    private final Clock clock;
    /**
     * Each record decoded once per stored value (the spec in base64, two instants): a `ctr run --rm` reads
     * its container's record seven times (Containers/Get x3, Tasks/Create, Tasks/Get x2 after the task's
     * deletion, Containers/Delete). ContainerRecord and Opaque are immutable.
     */
    private final DecodedRecords<ContainerRecord> decoded = new DecodedRecords<>(DECODED_MAX);

    public ContainerStore(MetadataStore db, NamespaceStore namespaces, Clock clock) {
        this.db = db;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    public ContainerRecord create(String ns, ContainerRecord c) {
        validate(c);
        return namespaces.writeIn(ns, () -> createLocked(ns, c, null));
    }

    /**
     * Creates container {@code c} with the records {@code alsoWrite} adds, in one synced write: the CRI
     * writes a container and the record of the rootfs snapshot it names together (one disk sync instead of
     * two; see {@code NamespacedSnapshots.prepare} with a {@code RecordedWith}).
     */
    public ContainerRecord create(String ns, ContainerRecord c, Consumer<MetadataStore.Batch> alsoWrite) {
        validate(c);
        return namespaces.writeIn(ns, () -> createLocked(ns, c, alsoWrite));
    }

    /** @param alsoWrite other records written in the same batch; null: none */
    private synchronized ContainerRecord createLocked(String ns, ContainerRecord c, Consumer<MetadataStore.Batch> alsoWrite) {
        if (db.get(Family.CONTAINERS, Keys.of(ns, c.id())) != null) {
            throw JcdException.alreadyExists("container %s in namespace %s: already exists", c.id(), ns);
        }
        Instant now = clock.instant();
        ContainerRecord stored = new ContainerRecord(c.id(), c.labels(), c.image(), c.runtimeName(), c.runtimeOptions(),
                c.spec(), c.snapshotter(), c.snapshotKey(), c.extensions(), c.sandbox(), now, now);
        byte[] value = Json.write(stored);
        if (alsoWrite == null) {
            db.put(Family.CONTAINERS, Keys.of(ns, c.id()), value);
        } else {
            db.write(b -> {
                b.put(Family.CONTAINERS, Keys.of(ns, c.id()), value);
                alsoWrite.accept(b);
            });
        }
        // the Containers/Get and Tasks/Create that follow a create read these bytes: no decoding of the spec again
        decoded.remember(ns + '\0' + c.id(), value, stored);
        return stored;
    }

    public ContainerRecord get(String ns, String id) {
        return find(ns, id).orElseThrow(() -> JcdException.notFound("container %s in namespace %s: not found", id, ns));
    }

    public Optional<ContainerRecord> find(String ns, String id) {
        byte[] v = db.get(Family.CONTAINERS, Keys.of(ns, id));
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(decoded.get(ns + '\0' + id, v, stored -> Json.read(stored, ContainerRecord.class)));
    }

    /**
     * Whether a container of {@code ns} names snapshot {@code key} of {@code snapshotter} as its rootfs. The
     * container whose id is the key first (ctr and the CRI name the snapshot after the container), then the others.
     */
    public boolean usesSnapshot(String ns, String snapshotter, String key) {
        java.util.function.Predicate<ContainerRecord> uses = c -> c.snapshotter().equals(snapshotter) && c.snapshotKey().equals(key);
        if (!key.isEmpty() && key.indexOf('\0') < 0 && find(ns, key).filter(uses).isPresent()) {
            return true;
        }
        boolean[] found = {false};
        db.scan(Family.CONTAINERS, Keys.prefix(ns), (k, v) -> {
            if (!found[0] && uses.test(decoded.get(ns + '\0' + Keys.split(k).get(1), v, stored -> Json.read(stored, ContainerRecord.class)))) {
                found[0] = true;
            }
        });
        return found[0];
    }

    public List<ContainerRecord> list(String ns, Filter filter) {
        List<ContainerRecord> out = new ArrayList<>();
        db.scan(Family.CONTAINERS, Keys.prefix(ns), (k, v) -> {
            ContainerRecord c = Json.read(v, ContainerRecord.class);
            if (filter.matches(c::field)) {
                out.add(c);
            }
        });
        return out;
    }

    /** Every namespace's containers, for the garbage collector. */
    public void forEachInAllNamespaces(java.util.function.BiConsumer<String, ContainerRecord> visitor) {
        db.scan(Family.CONTAINERS, new byte[0], (k, v) -> visitor.accept(Keys.split(k).getFirst(), Json.read(v, ContainerRecord.class)));
    }

    /**
     * Updates a container. Without paths: labels, spec, extensions, image and snapshot key are
     * replaced. With paths: {@code labels}, {@code labels.<k>}, {@code spec}, {@code extensions},
     * {@code extensions.<k>}, {@code image}, {@code snapshotkey}.
     */
    public ContainerRecord update(String ns, ContainerRecord u, List<String> paths) {
        return namespaces.locks().change(ns, () -> updateLocked(ns, u, paths));
    }

    private synchronized ContainerRecord updateLocked(String ns, ContainerRecord u, List<String> paths) {
        ContainerRecord cur = get(ns, u.id());
        if (!u.snapshotter().isEmpty() && !u.snapshotter().equals(cur.snapshotter())) {
            throw JcdException.invalidArgument("container %s: snapshotter cannot change from \"%s\" to \"%s\"", u.id(), cur.snapshotter(), u.snapshotter());
        }
        if (!u.runtimeName().isEmpty() && !u.runtimeName().equals(cur.runtimeName())) {
            throw JcdException.invalidArgument("container %s: runtime cannot change from \"%s\" to \"%s\"", u.id(), cur.runtimeName(), u.runtimeName());
        }
        Map<String, String> labels = new HashMap<>(cur.labels());
        Map<String, Opaque> extensions = new HashMap<>(cur.extensions());
        Opaque spec = cur.spec();
        String image = cur.image();
        String snapshotKey = cur.snapshotKey();
        if (paths.isEmpty()) {
            labels = new HashMap<>(u.labels());
            extensions = new HashMap<>(u.extensions());
            spec = u.spec();
            image = u.image();
            snapshotKey = u.snapshotKey();
        }
        for (String p : paths) {
            if (p.equals("labels")) {
                labels = new HashMap<>(u.labels());
            } else if (p.startsWith("labels.")) {
                String k = p.substring("labels.".length());
                String v = u.labels().get(k);
                if (v == null || v.isEmpty()) {
                    labels.remove(k);
                } else {
                    labels.put(k, v);
                }
            } else if (p.equals("spec")) {
                spec = u.spec();
            } else if (p.equals("extensions")) {
                extensions = new HashMap<>(u.extensions());
            } else if (p.startsWith("extensions.")) {
                String k = p.substring("extensions.".length());
                Opaque v = u.extensions().get(k);
                if (v == null) {
                    extensions.remove(k);
                } else {
                    extensions.put(k, v);
                }
            } else if (p.equals("image")) {
                image = u.image();
            } else if (p.equals("snapshotkey") || p.equals("snapshot_key")) {
                snapshotKey = u.snapshotKey();
            } else {
                throw JcdException.invalidArgument("cannot update %s field of container %s: use labels, spec, extensions, image or snapshotkey",
                        p, u.id());
            }
        }
        labels.values().removeIf(String::isEmpty);
        ContainerRecord next = new ContainerRecord(cur.id(), labels, image, cur.runtimeName(), cur.runtimeOptions(), spec,
                cur.snapshotter(), snapshotKey, extensions, cur.sandbox(), cur.createdAt(), clock.instant());
        validate(next);
        db.put(Family.CONTAINERS, Keys.of(ns, cur.id()), Json.write(next));
        return next;
    }

    public void delete(String ns, String id) {
        delete(ns, id, null);
    }

    /**
     * Deletes container {@code id} with the changes {@code alsoWrite} adds (null: none) in one synced write: the
     * CRI deletes a container and the record of the rootfs snapshot it names together (see
     * {@code NamespacedSnapshots.remove} with a function).
     */
    public void delete(String ns, String id, Consumer<MetadataStore.Batch> alsoWrite) {
        namespaces.locks().change(ns, () -> {
            synchronized (this) {
                get(ns, id);
                if (alsoWrite == null) {
                    db.delete(Family.CONTAINERS, Keys.of(ns, id));
                } else {
                    db.write(b -> {
                        b.delete(Family.CONTAINERS, Keys.of(ns, id));
                        alsoWrite.accept(b);
                    });
                }
                decoded.forget(ns + '\0' + id);
            }
        });
    }

    private static void validate(ContainerRecord c) {
        Identifiers.validate("container id", c.id());
        Labels.validate(c.labels());
        if (c.runtimeName() == null || c.runtimeName().isEmpty()) {
            throw JcdException.invalidArgument("container %s: runtime name must be set, e.g. io.containerd.runc.v2", c.id());
        }
        if (c.spec() == null || c.spec().isEmpty()) {
            throw JcdException.invalidArgument("container %s: spec must be set (an OCI runtime spec)", c.id());
        }
        if (!c.snapshotKey().isEmpty() && c.snapshotter().isEmpty()) {
            throw JcdException.invalidArgument("container %s: snapshot key %s is set but no snapshotter is", c.id(), c.snapshotKey());
        }
    }
}
