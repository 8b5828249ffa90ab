package io.jcontainerd.supervisor.content;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.gc.TestStores;
import io.jcontainerd.supervisor.leases.LeaseResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespacedContentStoreTest {
    @TempDir
    Path dir;
    TestStores t;
    NamespacedContentStore content;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        content = t.stores.content();
    }

    @AfterEach
    void close() {
        t.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBlobIsVisibleOnlyInTheNamespaceThatCommittedIt() {
        ContentInfo info = t.put("a", "hello", Map.of("k", "v"), Optional.empty());

        assertThat(content.info("a", info.digest()).labels()).containsEntry("k", "v");
        assertThat(info.size()).isEqualTo(5);
        assertThatThrownBy(() -> content.info("b", info.digest()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("not found").hasMessageContaining("namespace b");
        assertThatThrownBy(() -> content.readerAt("b", info.digest())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void writingABlobAnotherNamespaceHasRecordsItHereWithoutAlreadyExists() {
        ContentInfo inA = t.put("a", "shared");
        ContentInfo inB = t.put("b", "shared", Map.of("b", "yes"), Optional.empty());

        assertThat(inB.digest()).isEqualTo(inA.digest());
        assertThat(content.info("b", inB.digest()).labels()).containsEntry("b", "yes");
        assertThat(content.info("a", inA.digest()).labels()).doesNotContainKey("b");
    }

    @Test
    void openingAWriterForADigestTheNamespaceHasIsAlreadyExistsAndLeasesTheBlob() {
        ContentInfo info = t.put("a", "present");
        t.stores.leases().create("a", "l1", Map.of());

        assertThatThrownBy(() -> content.writer("a", "again", 7, info.digest(), Optional.of("l1")))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining(info.digest().toString());
        assertThat(t.stores.leases().listResources("a", "l1")).contains(LeaseResource.content(info.digest()));
    }

    @Test
    void aWriterOpenedWhileTheCollectorRemovesTheBlobGetsAWriterNotAlreadyExists() throws Exception {
        ContentInfo garbage = t.put("a", "nothing holds this", Map.of(), Optional.empty());
        String lease = t.stores.leases().create("a", "pull", Map.of()).id();
        AtomicReference<Object> opened = new AtomicReference<>();
        Thread opener = Thread.ofPlatform().unstarted(() -> {
            try (NamespacedWriter w = content.writer("a", "ref-garbage", garbage.size(), garbage.digest(), Optional.of(lease))) {
                opened.set("a writer");
            } catch (RuntimeException e) {
                opened.set(e);
            }
        });
        Lock collection = t.namespaces.locks().collection().writeLock();
        collection.lock();
        try {
            opener.start();
            // the opener waits for the collection lock; the collector, holding it, removes the blob
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (opener.getState() != Thread.State.WAITING && opener.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(opener.getState()).as("the opener waits for the collection lock").isEqualTo(Thread.State.WAITING);
            t.stores.gc().collect();
        } finally {
            collection.unlock();
        }
        opener.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(content.exists("a", garbage.digest())).as("the collected blob").isFalse();
        assertThat(opened.get()).as("what the client that wants the blob got").isEqualTo("a writer");
        assertThat(t.stores.leases().listResources("a", lease)).as("the lease's resources")
                .doesNotContain(LeaseResource.content(garbage.digest()));
    }

    @Test
    void theLeaseHoldsTheIngestWhileWritingAndTheBlobOnceCommitted() {
        t.stores.leases().create("a", "pull", Map.of());
        byte[] data = bytes("leased");
        Digest d = Digest.of(data);
        try (NamespacedWriter w = content.writer("a", "layer-x", data.length, d, Optional.of("pull"))) {
            assertThat(t.stores.leases().listResources("a", "pull")).containsExactly(LeaseResource.ingest("layer-x"));
            w.write(ByteBuffer.wrap(data));
            w.commit(data.length, d, Map.of());
        }

        assertThat(t.stores.leases().listResources("a", "pull")).containsExactly(LeaseResource.content(d));
    }

    @Test
    void aWriterUnderAMissingLeaseIsNotFoundAndRecordsNothing() {
        Digest d = Digest.of(bytes("x"));
        assertThatThrownBy(() -> content.writer("a", "r", 1, d, Optional.of("nope")))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("lease nope");
        assertThat(content.exists("a", d)).isFalse();
    }

    @Test
    void aWrongDigestAtCommitIsFailedPreconditionAndNothingIsRecorded() {
        Digest claimed = Digest.of(bytes("something else"));
        try (NamespacedWriter w = content.writer("a", "bad", 0, null, Optional.empty())) {
            w.write(ByteBuffer.wrap(bytes("actual")));
            assertThatThrownBy(() -> w.commit(6, claimed, Map.of()))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining(claimed.toString());
        }
        assertThat(content.exists("a", claimed)).isFalse();
        assertThat(content.exists("a", Digest.of(bytes("actual")))).isFalse();
    }

    @Test
    void aWrongSizeAtCommitIsFailedPrecondition() {
        try (NamespacedWriter w = content.writer("a", "short", 0, null, Optional.empty())) {
            w.write(ByteBuffer.wrap(bytes("four")));
            assertThatThrownBy(() -> w.commit(5, null, Map.of())).isInstanceOf(FailedPreconditionException.class);
        }
    }

    @Test
    void ingestsAreSeparatedByNamespaceAndResumeAfterClose() {
        try (NamespacedWriter w = content.writer("a", "layer-1", 10, null, Optional.empty())) {
            w.write(ByteBuffer.wrap(bytes("12345")));
        }
        try (NamespacedWriter w = content.writer("b", "layer-1", 0, null, Optional.empty())) {
            w.write(ByteBuffer.wrap(bytes("1")));
        }

        List<IngestStatus> inA = content.listStatuses("a", Filter.ALWAYS);
        assertThat(inA).extracting(IngestStatus::ref).containsExactly("layer-1");
        assertThat(inA.getFirst().offset()).isEqualTo(5);
        assertThat(content.status("b", "layer-1").offset()).isEqualTo(1);
        assertThat(content.listStatuses("c", Filter.ALWAYS)).isEmpty();
        assertThat(content.listStatuses("a", FilterParser.parse("ref==other"))).isEmpty();

        try (NamespacedWriter w = content.writer("a", "layer-1", 10, null, Optional.empty())) {
            assertThat(w.offset()).isEqualTo(5);
            w.write(ByteBuffer.wrap(bytes("67890")));
            ContentInfo info = w.commit(10, Digest.of(bytes("1234567890")), Map.of());
            assertThat(info.size()).isEqualTo(10);
        }
        content.abort("b", "layer-1");
        assertThatThrownBy(() -> content.status("b", "layer-1")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> content.abort("b", "layer-1")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aRefHeldByAnotherWriterIsUnavailable() {
        try (NamespacedWriter ignored = content.writer("a", "busy", 0, null, Optional.empty())) {
            assertThatThrownBy(() -> content.writer("a", "busy", 0, null, Optional.empty()))
                    .isInstanceOf(UnavailableException.class);
        }
    }

    @Test
    void updateSetsAndDeletesSingleLabelsOrReplacesThemAll() {
        ContentInfo info = t.put("a", "labelled", Map.of("keep", "1", "drop", "2"), Optional.empty());
        t.clock.advanceSeconds(5);

        ContentInfo one = content.update("a", info.digest(), Map.of("new", "3", "drop", ""), List.of("labels.new", "labels.drop"));
        assertThat(one.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("keep", "1", "new", "3"));
        assertThat(one.updatedAt()).isAfter(one.createdAt());

        ContentInfo all = content.update("a", info.digest(), Map.of("only", "x"), List.of());
        assertThat(all.labels()).containsExactlyEntriesOf(Map.of("only", "x"));

        assertThatThrownBy(() -> content.update("a", info.digest(), Map.of(), List.of("size")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("size");
    }

    @Test
    void walkFiltersByDigestSizeAndLabels() {
        ContentInfo small = t.put("a", "s", Map.of("kind", "small"), Optional.empty());
        ContentInfo big = t.put("a", "bigger one", Map.of("kind", "big"), Optional.empty());

        assertThat(walk("a", "labels.kind==big")).containsExactly(big.digest());
        assertThat(walk("a", "size==1")).containsExactly(small.digest());
        assertThat(walk("a", "digest==\"" + small.digest() + "\"")).containsExactly(small.digest());
        assertThat(walk("a", "")).containsExactlyInAnyOrder(small.digest(), big.digest());
        assertThat(walk("b", "")).isEmpty();
    }

    private List<Digest> walk(String ns, String filter) {
        List<Digest> out = new ArrayList<>();
        content.walk(ns, FilterParser.parse(filter), i -> out.add(i.digest()));
        return out;
    }

    @Test
    void deleteRemovesTheRecordButLeavesTheBlobForTheCollector() {
        ContentInfo info = t.put("a", "deleted");
        content.delete("a", info.digest());

        assertThat(content.exists("a", info.digest())).isFalse();
        assertThat(t.blobOnDisk(info.digest())).isTrue();
        assertThatThrownBy(() -> content.delete("a", info.digest())).isInstanceOf(NotFoundException.class);
        t.stores.gc().collect();
        assertThat(t.blobOnDisk(info.digest())).isFalse();
    }

    @Test
    void anInfoReadAgainShowsEveryUpdateAndDeleteInBetween() {
        ContentInfo info = t.put("a", "read often", Map.of("v", "1"), Optional.empty());
        t.put("b", "read often", Map.of("v", "in b"), Optional.empty());
        assertThat(content.info("a", info.digest()).labels()).containsExactlyEntriesOf(Map.of("v", "1"));
        assertThat(content.info("a", info.digest()).labels()).containsExactlyEntriesOf(Map.of("v", "1"));
        t.clock.advanceSeconds(5);

        content.update("a", info.digest(), Map.of("v", "2"), List.of("labels.v"));
        ContentInfo read = content.info("a", info.digest());
        assertThat(read.labels()).containsExactlyEntriesOf(Map.of("v", "2"));
        assertThat(read.updatedAt()).isAfter(info.updatedAt());
        assertThat(content.info("b", info.digest()).labels()).containsExactlyEntriesOf(Map.of("v", "in b"));

        content.delete("a", info.digest());
        assertThatThrownBy(() -> content.info("a", info.digest())).isInstanceOf(NotFoundException.class);
        assertThat(content.info("b", info.digest()).labels()).containsExactlyEntriesOf(Map.of("v", "in b"));
    }
}
