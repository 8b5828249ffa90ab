package io.jcontainerd.supervisor.metadata;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void refusesANonEmptyDirectoryThatIsNotADatabaseAndLeavesItAlone() throws Exception {
        Path meta = Files.createDirectories(dir.resolve("meta"));
        Files.writeString(meta.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> MetadataStore.open(meta))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("is not a RocksDB database");
        try (var files = Files.list(meta)) {
            assertThat(files).containsExactly(meta.resolve("notes.txt"));
        }
    }

    @Test
    void refusesAForeignRocksDbWithoutTouchingIt() throws Exception {
        Path meta = dir.resolve("meta");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB other = RocksDB.open(o, meta.toString())) {
            other.put("theirs".getBytes(), "data".getBytes());
        }
        assertThatThrownBy(() -> MetadataStore.open(meta))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("not jcontainerd's");
        try (Options o = new Options(); RocksDB other = RocksDB.open(o, meta.toString())) {
            assertThat(new String(other.get("theirs".getBytes()))).isEqualTo("data");
        }
    }

    @Test
    void refusesANewerSchemaInsteadOfDowngradingIt() throws Exception {
        Path meta = dir.resolve("meta");
        MetadataStore.open(meta).close();
        var descriptors = new java.util.ArrayList<org.rocksdb.ColumnFamilyDescriptor>();
        try (Options o = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(o, meta.toString())) {
                descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(name));
            }
        }
        var handles = new java.util.ArrayList<org.rocksdb.ColumnFamilyHandle>();
        try (var o = new org.rocksdb.DBOptions(); RocksDB raw = RocksDB.open(o, meta.toString(), descriptors, handles)) {
            raw.put(MetadataStore.SCHEMA_KEY, "2".getBytes());
            handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
        }
        assertThatThrownBy(() -> MetadataStore.open(meta))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("schema version 2").hasMessageContaining("upgrade jcontainerd");
    }

    @Test
    void aSecondOpenWhileLockedIsUnavailableNamingTheDirectory() {
        Path meta = dir.resolve("meta");
        try (MetadataStore first = MetadataStore.open(meta)) {
            assertThatThrownBy(() -> MetadataStore.open(meta))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("locked by another process").hasMessageContaining(meta.toString());
        }
    }

    @Test
    void keysPutTheNamespaceFirstAndSplitBack() {
        assertThat(Keys.split(Keys.of("ns", "overlayfs", "extract-1 sha256:ab"))).containsExactly("ns", "overlayfs", "extract-1 sha256:ab");
        assertThat(MetadataStore.startsWith(Keys.of("ns", "a"), Keys.prefix("ns"))).isTrue();
        assertThat(MetadataStore.startsWith(Keys.of("nsx", "a"), Keys.prefix("ns"))).isFalse();
    }

    @Test
    void aCallAfterCloseFailsUnavailableInsteadOfTouchingTheClosedDatabase() {
        MetadataStore db = MetadataStore.open(dir.resolve("meta"));
        db.put(Family.IMAGES, Keys.of("default", "x"), "{}".getBytes());
        db.close();
        assertThatThrownBy(() -> db.get(Family.IMAGES, Keys.of("default", "x")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("shutting down");
        assertThatThrownBy(() -> db.put(Family.IMAGES, Keys.of("default", "y"), "{}".getBytes()))
                .isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> db.scan(Family.IMAGES, new byte[0], (k, v) -> { }))
                .isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> db.write(b -> b.delete(Family.IMAGES, Keys.of("default", "x"))))
                .isInstanceOf(UnavailableException.class);
        db.close();
    }

    @Test
    void closeWaitsForAScanInProgressAndTheScanFinishesWhole() throws Exception {
        MetadataStore db = MetadataStore.open(dir.resolve("meta"));
        for (int i = 0; i < 10; i++) {
            db.put(Family.IMAGES, Keys.of("default", "img" + i), "{}".getBytes());
        }
        java.util.concurrent.CountDownLatch inScan = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        Thread scanner = Thread.ofPlatform().start(() -> db.scan(Family.IMAGES, new byte[0], (k, v) -> {
            inScan.countDown();
            try {
                goOn.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.incrementAndGet();
        }));
        inScan.await();
        Thread closer = Thread.ofPlatform().start(db::close);
        while (closer.getState() != Thread.State.WAITING && closer.isAlive()) {
            Thread.onSpinWait();
        }
        assertThat(closer.isAlive()).as("close waits for the scan").isTrue();
        goOn.countDown();
        scanner.join();
        closer.join();
        assertThat(seen.get()).isEqualTo(10);
    }
}
