package io.jcontainerd.supervisor.metadata;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.config.rules.Labels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Namespaces: the top level of every other object. Behaviour follows containerd's
 * metadata/namespaces.go: names are identifiers, a namespace is created implicitly by the first
 * object written in it ({@link #writeIn}), and only an empty namespace can be deleted. The check
 * and the write of each side hold the same lock ({@link ChangeLocks}), so no object is ever left
 * in a namespace that was deleted.
 */
public final class NamespaceStore {
    private final MetadataStore db;
    private final ChangeLocks locks = new ChangeLocks();

    public NamespaceStore(MetadataStore db) {
        this.db = db;
    }

    /** The locks every change of the metadata takes; one set per database. */
    public ChangeLocks locks() {
        return locks;
    }

    /**
     * Runs a change that may create objects in {@code ns}: creates the namespace unless it exists,
     * then runs {@code body}, both under {@link ChangeLocks#change}, so a concurrent deletion of the
     * namespace happens wholly before (and the namespace is created again) or wholly after (and
     * finds the object).
     */
    public <T> T writeIn(String ns, Supplier<T> body) {
        Identifiers.validate("namespace", ns);
        return locks.change(ns, () -> {
            ensure(ns);
            return body.get();
        });
    }

    /** As {@link #writeIn(String, Supplier)} for a change with no result. */
    public void writeIn(String ns, Runnable body) {
        writeIn(ns, () -> {
            body.run();
            return null;
        });
    }

    public NamespaceRecord create(String name, Map<String, String> labels) {
        Identifiers.validate("namespace", name);
        Labels.validate(labels);
        synchronized (this) {
            if (db.get(Family.NAMESPACES, Keys.of(name)) != null) {
                throw JcdException.alreadyExists("namespace %s: already exists", name);
            }
            NamespaceRecord r = new NamespaceRecord(name, withoutEmptyValues(labels));
            db.put(Family.NAMESPACES, Keys.of(name), Json.write(r));
            return r;
        }
    }

    /**
     * Creates {@code name} with no labels unless it exists. Alone it only makes the namespace; a
     * change that creates objects uses {@link #writeIn}, which holds the namespace's lock across both.
     */
    public synchronized void ensure(String name) {
        Identifiers.validate("namespace", name);
        if (db.get(Family.NAMESPACES, Keys.of(name)) == null) {
            db.put(Family.NAMESPACES, Keys.of(name), Json.write(new NamespaceRecord(name, Map.of())));
        }
    }

    public Optional<NamespaceRecord> find(String name) {
        byte[] v = db.get(Family.NAMESPACES, Keys.of(name));
        return v == null ? Optional.empty() : Optional.of(Json.read(v, NamespaceRecord.class));
    }

    /**
     * containerd's Get answers OK with no labels for a namespace that does not exist (it only
     * reads the labels), and clients rely on that to read default labels; so do we.
     */
    public NamespaceRecord get(String name) {
        Identifiers.validate("namespace", name);
        return find(name).orElse(new NamespaceRecord(name, Map.of()));
    }

    public List<NamespaceRecord> list() {
        List<NamespaceRecord> all = new ArrayList<>();
        db.scan(Family.NAMESPACES, new byte[0], (k, v) -> all.add(Json.read(v, NamespaceRecord.class)));
        return all;
    }

    /**
     * Updates labels. With no paths the labels are replaced; paths are {@code labels} (replace all)
     * or {@code labels.<key>} (set that key, or delete it when the new value is empty).
     */
    public synchronized NamespaceRecord update(String name, Map<String, String> labels, List<String> paths) {
        Identifiers.validate("namespace", name);
        NamespaceRecord current = find(name)
                .orElseThrow(() -> JcdException.notFound("namespace %s: not found", name));
        Map<String, String> next = new HashMap<>(current.labels());
        if (paths.isEmpty()) {
            next = new HashMap<>(labels);
        } else {
            for (String path : paths) {
                if (path.equals("labels")) {
                    next = new HashMap<>(labels);
                } else if (path.startsWith("labels.")) {
                    String key = path.substring("labels.".length());
                    String value = labels.get(key);
                    if (value == null || value.isEmpty()) {
                        next.remove(key);
                    } else {
                        next.put(key, value);
                    }
                } else {
                    throw JcdException.invalidArgument(
                            "cannot update %s field of namespace %s: only labels and labels.<key> can be updated", path, name);
                }
            }
        }
        Labels.validate(next);
        NamespaceRecord r = new NamespaceRecord(name, withoutEmptyValues(next));
        db.put(Family.NAMESPACES, Keys.of(name), Json.write(r));
        return r;
    }

    /** Deletes an empty namespace; one that still holds objects fails and says which kinds. */
    public void delete(String name) {
        Identifiers.validate("namespace", name);
        locks.namespaceDeletion(name, () -> {
            deleteEmpty(name);
            return null;
        });
    }

    private synchronized void deleteEmpty(String name) {
        if (find(name).isEmpty()) {
            throw JcdException.notFound("namespace %s: not found", name);
        }
        List<String> left = new ArrayList<>();
        for (Family f : Family.values()) {
            if (f != Family.NAMESPACES && db.any(f, Keys.prefix(name))) {
                left.add(f.displayName());
            }
        }
        if (!left.isEmpty()) {
            throw JcdException.failedPrecondition(
                    "namespace %s must be empty, but it still has %s: remove them first", name, String.join(", ", left));
        }
        db.delete(Family.NAMESPACES, Keys.of(name));
    }

    private static Map<String, String> withoutEmptyValues(Map<String, String> labels) {
        Map<String, String> m = new HashMap<>(labels);
        m.values().removeIf(v -> v == null || v.isEmpty());
        return m;
    }
}
