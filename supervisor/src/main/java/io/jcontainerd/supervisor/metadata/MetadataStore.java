package io.jcontainerd.supervisor.metadata;

import io.jcontainerd.config.errdefs.JcdException;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * jcontainerd's metadata database: one RocksDB directory ({@code <root>/meta}).
 *
 * <h2>Schema (version 1)</h2>
 * One column family per object kind; the namespace is the first element of every key, so a
 * namespace's objects are one contiguous key range and "is this namespace empty?" is one seek
 * per family. Key elements are UTF-8 strings joined by a NUL byte ({@link Keys}); values are
 * UTF-8 JSON of the records in this package (readable with {@code ldb}, easy to migrate).
 *
 * <pre>
 * family       key                                              value
 * default      "jcontainerd.schema"                             "1"   (marks the directory as ours)
 *              "server.uuid"                                    UUID reported by Introspection.Server
 * namespaces   &lt;ns&gt;                                             NamespaceRecord (labels)
 * images       &lt;ns&gt; NUL &lt;image name&gt;                           ImageRecord
 * containers   &lt;ns&gt; NUL &lt;container id&gt;                         ContainerRecord
 * content      &lt;ns&gt; NUL &lt;digest&gt;                               ContentRecord (labels, times)
 * snapshots    &lt;ns&gt; NUL &lt;snapshotter&gt; NUL &lt;key&gt;               SnapshotRecord
 * leases       &lt;ns&gt; NUL &lt;lease id&gt;                             LeaseRecord
 * lease_refs   &lt;ns&gt; NUL &lt;lease id&gt; NUL &lt;type&gt; NUL &lt;resource id&gt;  "" (membership)
 * </pre>
 *
 * <h2>Migrations</h2>
 * The schema version is read on open. A directory with a newer version is refused (never
 * downgraded); an older one is migrated forward in {@link #migrate} before any service starts,
 * one version step at a time, inside a single write batch.
 *
 * <h2>Refusals</h2>
 * A non-empty directory that is not a RocksDB database, or a RocksDB database without our schema
 * marker, is refused with a message and never written to.
 *
 * <h2>Closing</h2>
 * Every operation holds the read side of a lock that {@link #close} takes for writing, so closing
 * waits for the operations in progress, and an operation that comes later fails Unavailable
 * ("shutting down") instead of touching freed native memory (which kills the JVM).
 */
public final class MetadataStore implements AutoCloseable {
    public static final int SCHEMA_VERSION = 1;
    static final byte[] SCHEMA_KEY = bytes("jcontainerd.schema");
    static final byte[] UUID_KEY = bytes("server.uuid");

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final RocksDB db;
    private final DBOptions options;
    private final ColumnFamilyHandle defaultFamily;
    private final Map<Family, ColumnFamilyHandle> families = new EnumMap<>(Family.class);
    private final List<ColumnFamilyHandle> handles;
    private final WriteOptions syncWrites = new WriteOptions().setSync(true);
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private MetadataStore(Path dir, RocksDB db, DBOptions options, List<ColumnFamilyHandle> handles) {
        this.dir = dir;
        this.db = db;
        this.options = options;
        this.handles = handles;
        this.defaultFamily = handles.getFirst();
        for (Family f : Family.values()) {
            families.put(f, handles.get(f.ordinal() + 1));
        }
    }

    /** Opens (or creates) the database in {@code dir}; see the class comment for what is refused. */
    public static MetadataStore open(Path dir) {
        boolean fresh = isFresh(dir);
        if (!fresh && !Files.exists(dir.resolve("CURRENT"))) {
            throw JcdException.failedPrecondition(
                    "metadata directory %s is not empty and is not a RocksDB database: refusing to touch it; "
                            + "point --root at another directory or move its contents away", dir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot create metadata directory %s: %s", dir, e);
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (Family f : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(bytes(f.cfName())));
        }
        if (!fresh) {
            checkFamilies(dir);
        }
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setKeepLogFileNum(3).setMaxOpenFiles(256);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(options, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            options.close();
            throw openError(dir, e);
        }
        MetadataStore store = new MetadataStore(dir, db, options, handles);
        try {
            store.checkSchema(fresh);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static boolean isFresh(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot list metadata directory %s: %s", dir, e);
        }
    }

    private static void checkFamilies(Path dir) {
        List<byte[]> existing;
        try (Options o = new Options()) {
            existing = RocksDB.listColumnFamilies(o, dir.toString());
        } catch (RocksDBException e) {
            throw openError(dir, e);
        }
        List<String> known = new ArrayList<>(List.of("default"));
        Arrays.stream(Family.values()).map(Family::cfName).forEach(known::add);
        List<String> found = existing.stream().map(n -> new String(n, StandardCharsets.UTF_8)).sorted().toList();
        if (!found.equals(known.stream().sorted().toList())) {
            throw JcdException.failedPrecondition(
                    "metadata directory %s holds a RocksDB database that is not jcontainerd's (column families %s, expected %s): "
                            + "refusing to touch it; point --root at another directory", dir, found, known);
        }
    }

    private static JcdException openError(Path dir, RocksDBException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("lock") || m.contains("LOCK")) {
            return JcdException.unavailable(
                    "metadata database %s is locked by another process (is another jcontainerd running with this --root?): %s",
                    dir, m);
        }
        if (m.contains("Corruption") || m.contains("corrupt")) {
            return JcdException.failedPrecondition(
                    "metadata database %s is corrupt (%s): refusing to start; restore it from a backup or move it away", dir, m);
        }
        return JcdException.failedPrecondition("cannot open metadata database %s: %s", dir, m);
    }

    private void checkSchema(boolean fresh) {
        byte[] v = getRaw(defaultFamily, SCHEMA_KEY);
        if (v == null) {
            if (!fresh && !isEmptyDatabase()) {
                throw JcdException.failedPrecondition(
                        "metadata database %s has no jcontainerd schema marker: it belongs to something else; "
                                + "refusing to touch it, point --root at another directory", dir);
            }
            putRaw(defaultFamily, SCHEMA_KEY, bytes(Integer.toString(SCHEMA_VERSION)));
            return;
        }
        int version;
        try {
            version = Integer.parseInt(new String(v, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            throw JcdException.failedPrecondition("metadata database %s has an unreadable schema version \"%s\"",
                    dir, new String(v, StandardCharsets.UTF_8));
        }
        if (version > SCHEMA_VERSION) {
            throw JcdException.failedPrecondition(
                    "metadata database %s has schema version %d, newer than this jcontainerd's %d: upgrade jcontainerd",
                    dir, version, SCHEMA_VERSION);
        }
        migrate(version);
    }

    /** Moves an older schema forward; version 1 is the first, so there is nothing to do yet. */
    private void migrate(int from) {
        if (from < SCHEMA_VERSION) {
            throw new IllegalStateException("no migration from schema " + from);
        }
    }

    private boolean isEmptyDatabase() {
        for (ColumnFamilyHandle h : handles) {
            try (RocksIterator it = db.newIterator(h)) {
                it.seekToFirst();
                if (it.isValid()) {
                    return false;
                }
            }
        }
        return true;
    }

    public Path dir() {
        return dir;
    }

    public byte[] get(Family family, byte[] key) {
        return getRaw(families.get(family), key);
    }

    public void put(Family family, byte[] key, byte[] value) {
        putRaw(families.get(family), key, value);
    }

    public void delete(Family family, byte[] key) {
        Lock open = openLock();
        try {
            db.delete(families.get(family), syncWrites, key);
        } catch (RocksDBException e) {
            throw storageError(e);
        } finally {
            open.unlock();
        }
    }

    /** Applies several changes atomically. */
    public void write(java.util.function.Consumer<Batch> changes) {
        Lock open = openLock();
        try (WriteBatch wb = new WriteBatch()) {
            changes.accept(new Batch(wb));
            db.write(syncWrites, wb);
        } catch (RocksDBException e) {
            throw storageError(e);
        } finally {
            open.unlock();
        }
    }

    /** Visits every entry of {@code family} whose key starts with {@code prefix}, in key order. */
    public void scan(Family family, byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
        Lock open = openLock();
        try (ReadOptions ro = new ReadOptions().setPrefixSameAsStart(false);
             RocksIterator it = db.newIterator(families.get(family), ro)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                visitor.accept(it.key(), it.value());
            }
        } finally {
            open.unlock();
        }
    }

    /** Whether {@code family} has any key starting with {@code prefix}. */
    public boolean any(Family family, byte[] prefix) {
        Lock open = openLock();
        try (RocksIterator it = db.newIterator(families.get(family))) {
            it.seek(prefix);
            return it.isValid() && startsWith(it.key(), prefix);
        } finally {
            open.unlock();
        }
    }

    /** The server UUID, created once and kept. */
    public synchronized String serverUuid() {
        byte[] v = getRaw(defaultFamily, UUID_KEY);
        if (v == null) {
            v = bytes(java.util.UUID.randomUUID().toString());
            putRaw(defaultFamily, UUID_KEY, v);
        }
        return new String(v, StandardCharsets.UTF_8);
    }

    /** The read side of the lifecycle lock, held; Unavailable once the store is closed. */
    private Lock openLock() {
        Lock open = lifecycle.readLock();
        open.lock();
        if (closed) {
            open.unlock();
            throw JcdException.unavailable("metadata database %s is closed: jcontainerd is shutting down; "
                    + "retry once it has restarted", dir);
        }
        return open;
    }

    private byte[] getRaw(ColumnFamilyHandle h, byte[] key) {
        Lock open = openLock();
        try {
            return db.get(h, key);
        } catch (RocksDBException e) {
            throw storageError(e);
        } finally {
            open.unlock();
        }
    }

    private void putRaw(ColumnFamilyHandle h, byte[] key, byte[] value) {
        Lock open = openLock();
        try {
            db.put(h, syncWrites, key, value);
        } catch (RocksDBException e) {
            throw storageError(e);
        } finally {
            open.unlock();
        }
    }

    private JcdException storageError(RocksDBException e) {
        return JcdException.unavailable("metadata database %s: %s", dir, e.getMessage());
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        return Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for the operations in progress, then closes; later operations fail Unavailable. Twice is harmless. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            options.close();
            syncWrites.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** A set of changes applied atomically by {@link #write}. */
    public final class Batch {
        private final WriteBatch wb;

        private Batch(WriteBatch wb) {
            this.wb = wb;
        }

        public void put(Family family, byte[] key, byte[] value) {
            try {
                wb.put(families.get(family), key, value);
            } catch (RocksDBException e) {
                throw storageError(e);
            }
        }

        public void delete(Family family, byte[] key) {
            try {
                wb.delete(families.get(family), key);
            } catch (RocksDBException e) {
                throw storageError(e);
            }
        }
    }
}
