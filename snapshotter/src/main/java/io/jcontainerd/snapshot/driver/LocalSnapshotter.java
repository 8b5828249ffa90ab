package io.jcontainerd.snapshot.driver;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.SnapshotFilter;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.snapshot.Snapshotter;
import io.jcontainerd.snapshot.Usage;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What both local drivers share: the records (one JSON file each under {@code <root>/metadata}),
 * the rules of the contract, and the directory of each snapshot, {@code <root>/snapshots/<id>/fs}.
 * A driver only says how a snapshot's directories are laid out and how they are mounted.
 *
 * <p>Crash safety: directories are created before the record that names them and removed after
 * it, so an interruption leaves at most an unnamed directory, which {@link #cleanup()} deletes.
 */
public abstract sealed class LocalSnapshotter implements Snapshotter permits OverlaySnapshotter, NativeSnapshotter {

    protected final Path root;
    protected final Syscalls sys;
    private final RecordFiles files;
    private final Map<String, SnapshotRecord> byKey = new HashMap<>();
    /** Directories of removed snapshots that a background deletion is deleting (cleanup leaves them to it). */
    private final java.util.Set<Path> deleting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long nextId;
    private boolean closed;

    protected LocalSnapshotter(Path root, Syscalls sys) {
        this.root = root.toAbsolutePath().normalize();
        this.sys = sys;
        try {
            Files.createDirectories(this.root.resolve("snapshots"));
            this.files = new RecordFiles(this.root.resolve("metadata"));
            long maxId = 0;
            for (SnapshotRecord r : files.loadAll()) {
                byKey.put(r.key(), r);
                maxId = Math.max(maxId, r.id());
            }
            for (Path dir : snapshotDirs()) {
                maxId = Math.max(maxId, idOf(dir));
            }
            nextId = maxId + 1;
        } catch (IOException e) {
            throw io("open snapshotter root " + root, e);
        }
    }

    /** The name the supervisor and clients use for this driver ("overlayfs", "native"). */
    public abstract String driverName();

    /** Creates the directories of a new snapshot under {@code dir} (which exists); parents are nearest first. */
    protected abstract void createLayout(Path dir, Kind kind, List<Long> parentIds) throws IOException;

    /** The mounts of an active snapshot or view; parents are nearest first. */
    protected abstract List<Mount> mountsOf(long id, Kind kind, List<Long> parentIds);

    /** The snapshot's own directory tree: what is mounted (native) or the upper layer (overlay). */
    public Path fsDir(long id) {
        return root.resolve("snapshots").resolve(Long.toString(id)).resolve("fs");
    }

    protected Path snapshotDir(long id) {
        return root.resolve("snapshots").resolve(Long.toString(id));
    }

    @Override
    public synchronized SnapshotInfo stat(String key) {
        return get(key).info();
    }

    @Override
    public synchronized SnapshotInfo update(SnapshotInfo info, String... fieldPaths) {
        SnapshotRecord r = get(info.name());
        Map<String, String> labels = new LinkedHashMap<>(r.labels());
        if (fieldPaths.length == 0) {
            labels = new LinkedHashMap<>(info.labels());
        }
        for (String path : fieldPaths) {
            if (path.equals("labels")) {
                labels = new LinkedHashMap<>(info.labels());
            } else if (path.startsWith("labels.")) {
                String k = path.substring("labels.".length());
                String v = info.labels().get(k);
                if (v == null) {
                    labels.remove(k);
                } else {
                    labels.put(k, v);
                }
            } else {
                throw JcdException.invalidArgument("snapshot %s: cannot update field %s; only labels and labels.<key> can change",
                        info.name(), path);
            }
        }
        Labels.validate(labels);
        SnapshotRecord updated = new SnapshotRecord(r.id(), r.key(), r.kind(), r.parent(), labels, r.created(), Instant.now(), r.usage());
        persist(updated);
        byKey.put(updated.key(), updated);
        return updated.info();
    }

    @Override
    public Usage usage(String key) {
        SnapshotRecord r;
        synchronized (this) {
            r = get(key);
        }
        if (r.kind() != Kind.ACTIVE) {
            return r.usage();
        }
        try {
            return FileTrees.diskUsage(fsDir(r.id()), sys);
        } catch (IOException e) {
            throw io("measure usage of snapshot " + key, e);
        }
    }

    @Override
    public synchronized List<Mount> mounts(String key) {
        SnapshotRecord r = get(key);
        if (r.kind() == Kind.COMMITTED) {
            throw JcdException.failedPrecondition("snapshot %s is committed: only active snapshots and views have mounts; "
                    + "prepare or view a new snapshot on top of it", key);
        }
        return mountsOf(r.id(), r.kind(), parentIds(r));
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) {
        return create(Kind.ACTIVE, key, parent, labels);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) {
        return create(Kind.VIEW, key, parent, labels);
    }

    private synchronized List<Mount> create(Kind kind, String key, String parent, Map<String, String> labels) {
        checkOpen();
        if (key == null || key.isEmpty()) {
            throw JcdException.invalidArgument("snapshot key must not be empty");
        }
        if (byKey.containsKey(key)) {
            throw JcdException.alreadyExists("snapshot %s already exists; choose another key or remove it first", key);
        }
        parent = parent == null ? "" : parent;
        List<Long> parents = List.of();
        if (!parent.isEmpty()) {
            SnapshotRecord p = byKey.get(parent);
            if (p == null) {
                throw JcdException.notFound("parent snapshot %s of %s does not exist", parent, key);
            }
            if (p.kind() != Kind.COMMITTED) {
                throw JcdException.invalidArgument("parent %s of %s is not a committed snapshot (it is %s); commit it first",
                        parent, key, p.kind().name().toLowerCase(java.util.Locale.ROOT));
            }
            parents = new ArrayList<>();
            parents.add(p.id());
            parents.addAll(parentIds(p));
        }
        Labels.validate(labels == null ? Map.of() : labels);
        long id = nextId++;
        Path dir = snapshotDir(id);
        try {
            Files.createDirectory(dir);
            createLayout(dir, kind, parents);
            Instant now = Instant.now();
            SnapshotRecord r = new SnapshotRecord(id, key, kind, parent, labels, now, now, Usage.ZERO);
            files.write(r);
            byKey.put(key, r);
            return mountsOf(id, kind, parents);
        } catch (IOException | RuntimeException e) {
            try {
                FileTrees.deleteRecursively(dir);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw io("create snapshot " + key, io);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public void commit(String name, String key, Map<String, String> labels) {
        SnapshotRecord r;
        synchronized (this) {
            checkOpen();
            r = get(key);
            if (r.kind() != Kind.ACTIVE) {
                throw JcdException.failedPrecondition("snapshot %s is %s, not active: only active snapshots can be committed",
                        key, r.kind().name().toLowerCase(java.util.Locale.ROOT));
            }
            checkNameFree(name);
        }
        // measuring can take a while on big layers; nobody writes a snapshot being committed
        Usage usage;
        try {
            usage = FileTrees.diskUsage(fsDir(r.id()), sys);
        } catch (IOException e) {
            throw io("measure usage of snapshot " + key, e);
        }
        synchronized (this) {
            if (byKey.get(key) != r) {
                throw JcdException.failedPrecondition("snapshot %s changed while it was being committed as %s; retry", key, name);
            }
            checkNameFree(name);
            Labels.validate(labels == null ? Map.of() : labels);
            Instant now = Instant.now();
            SnapshotRecord c = new SnapshotRecord(r.id(), name, Kind.COMMITTED, r.parent(), labels, now, now, usage);
            persist(c);
            byKey.remove(key);
            byKey.put(name, c);
            committed(r.id());
        }
    }

    /** Called after a commit; a driver may drop what only active snapshots need. */
    protected void committed(long id) {
    }

    private void checkNameFree(String name) {
        if (name == null || name.isEmpty()) {
            throw JcdException.invalidArgument("committed snapshot name must not be empty");
        }
        if (byKey.containsKey(name)) {
            throw JcdException.alreadyExists("snapshot %s already exists; commit under another name", name);
        }
    }

    @Override
    public void remove(String key) {
        Path doomed = retire(unlink(key));
        if (doomed != null) {
            deleteQuietly(doomed);
            deleting.remove(doomed);
        }
    }

    /** Removes the record and renames the directory now; deletes the directory on a virtual thread. */
    @Override
    public void removeInBackground(String key) {
        Path doomed = retire(unlink(key));
        if (doomed != null) {
            Thread.ofVirtual().name("snapshot-rm-" + doomed.getFileName()).start(() -> {
                try {
                    deleteQuietly(doomed);
                } finally {
                    deleting.remove(doomed);
                }
            });
        }
    }

    /**
     * The record is gone, so the directory is unreachable: renamed out of the way (outside the lock)
     * and marked as being deleted, so that {@link #cleanup()} leaves it to its deletion; null if the
     * rename failed (cleanup() will finish the job).
     */
    private Path retire(long id) {
        Path doomed = root.resolve("snapshots").resolve("rm-" + id);
        deleting.add(doomed);
        try {
            Files.move(snapshotDir(id), doomed);
            return doomed;
        } catch (IOException e) {
            deleting.remove(doomed);
            return null;
        }
    }

    private static void deleteQuietly(Path doomed) {
        try {
            FileTrees.deleteRecursively(doomed);
        } catch (IOException e) {
            // cleanup() will finish the job
        }
    }

    /** Removes the record; the directory, which no record names any more, is deleted by {@link #cleanup()}. */
    @Override
    public void removeDeferred(String key) {
        unlink(key);
    }

    private long unlink(String key) {
        long id;
        synchronized (this) {
            checkOpen();
            SnapshotRecord r = get(key);
            List<String> children = byKey.values().stream().filter(c -> c.parent().equals(key)).map(SnapshotRecord::key).sorted().toList();
            if (!children.isEmpty()) {
                throw JcdException.failedPrecondition("cannot remove snapshot %s: it is the parent of %s; remove those first",
                        key, String.join(", ", children));
            }
            try {
                files.delete(r.id());
            } catch (IOException e) {
                throw io("remove the record of snapshot " + key, e);
            }
            byKey.remove(key);
            id = r.id();
        }
        return id;
    }

    @Override
    public void walk(Consumer<SnapshotInfo> visitor, String... filters) {
        SnapshotFilter filter = SnapshotFilter.parse(filters);
        List<SnapshotInfo> all;
        synchronized (this) {
            all = byKey.values().stream().map(SnapshotRecord::info).toList();
        }
        all.stream().filter(filter::test).forEach(visitor);
    }

    @Override
    public void cleanup() {
        List<Path> orphans = new ArrayList<>();
        synchronized (this) {
            checkOpen();
            java.util.Set<Long> known = new java.util.HashSet<>();
            byKey.values().forEach(r -> known.add(r.id()));
            try {
                for (Path dir : snapshotDirs()) {
                    long id = idOf(dir);
                    if ((id < 0 || !known.contains(id)) && !deleting.contains(dir)) {
                        orphans.add(dir);
                    }
                }
            } catch (IOException e) {
                throw io("list " + root.resolve("snapshots"), e);
            }
        }
        for (Path dir : orphans) {
            try {
                FileTrees.deleteRecursively(dir);
            } catch (IOException e) {
                throw io("remove leftover snapshot directory " + dir, e);
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** The id (directory name) of a snapshot, for appliers that write into {@link #fsDir(long)}. */
    public synchronized long idOf(String key) {
        return get(key).id();
    }

    private List<Path> snapshotDirs() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve("snapshots"))) {
            dirs.forEach(out::add);
        }
        return out;
    }

    private static long idOf(Path dir) {
        try {
            return Long.parseLong(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private List<Long> parentIds(SnapshotRecord r) {
        List<Long> ids = new ArrayList<>();
        String parent = r.parent();
        while (!parent.isEmpty()) {
            SnapshotRecord p = byKey.get(parent);
            if (p == null) {
                throw JcdException.failedPrecondition("snapshot %s: ancestor %s is missing from %s; the metadata is damaged",
                        r.key(), parent, root);
            }
            ids.add(p.id());
            parent = p.parent();
        }
        return ids;
    }

    private SnapshotRecord get(String key) {
        checkOpen();
        SnapshotRecord r = key == null ? null : byKey.get(key);
        if (r == null) {
            throw JcdException.notFound("snapshot %s does not exist", key);
        }
        return r;
    }

    private void persist(SnapshotRecord r) {
        try {
            files.write(r);
        } catch (IOException e) {
            throw io("write the record of snapshot " + r.key(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw JcdException.unavailable("snapshotter %s at %s is closed", driverName(), root);
        }
    }

    static JcdException io(String what, IOException e) {
        return JcdException.of(ErrorKind.UNKNOWN, "cannot " + what + ": " + e, e);
    }
}
