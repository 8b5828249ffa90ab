package io.jcontainerd.content.store;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.content.image.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The content store contract, run against every implementation: the local files store here, the
 * supervisor's namespaced store and the gRPC client later. Subclasses create a fresh, empty store
 * and can "restart" it (same data, new instance) to prove ingests survive.
 */
public abstract class ContentStoreConformance {

    protected ContentStore store;

    /** A fresh, empty store. */
    protected abstract ContentStore createStore() throws Exception;

    /** The same store's data behind a new instance, as after a daemon restart. */
    protected abstract ContentStore restartStore(ContentStore old) throws Exception;

    /** Releases whatever createStore made. */
    protected void destroyStore(ContentStore s) throws Exception {
    }

    @BeforeEach
    void setUpStore() throws Exception {
        store = createStore();
    }

    @AfterEach
    void tearDownStore() throws Exception {
        destroyStore(store);
    }

    protected static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static byte[] readAll(ContentStore s, Digest d) throws Exception {
        try (InputStream in = s.open(d, 0)) {
            return in.readAllBytes();
        }
    }

    protected Digest put(String ref, byte[] content) {
        Digest d = Digest.of(content);
        try (ContentWriter w = store.writer(ref, content.length, d)) {
            w.write(content, 0, content.length);
            return w.commit(content.length, d);
        }
    }

    @Test
    void writesCommitsAndReadsBackABlob() throws Exception {
        byte[] content = bytes(300_000, 1);
        Digest d = put("layer-a", content);
        assertThat(d).isEqualTo(Digest.of(content));
        assertThat(readAll(store, d)).isEqualTo(content);
        assertThat(store.info(d).size()).isEqualTo(content.length);
        assertThat(store.info(d).digest()).isEqualTo(d);
    }

    @Test
    void commitWithoutAnExpectedDigestStoresUnderTheComputedOne() throws Exception {
        byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
        Digest d;
        try (ContentWriter w = store.writer("anything", 0, null)) {
            w.write(content, 0, content.length);
            assertThat(w.digest()).isEqualTo(Digest.of(content));
            d = w.commit(0, null);
        }
        assertThat(d.toString()).isEqualTo("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
        assertThat(readAll(store, d)).isEqualTo(content);
    }

    @Test
    void readsFromAnOffsetAndAtRandomPositions() throws Exception {
        byte[] content = bytes(10_000, 2);
        Digest d = put("r", content);
        try (InputStream in = store.open(d, 9_000)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 9_000, 10_000));
        }
        try (ReaderAt r = store.readerAt(d)) {
            assertThat(r.size()).isEqualTo(10_000);
            ByteBuffer buf = ByteBuffer.allocate(10);
            assertThat(r.readAt(buf, 500)).isEqualTo(10);
            assertThat(buf.array()).isEqualTo(java.util.Arrays.copyOfRange(content, 500, 510));
        }
    }

    @Test
    void aBlobIsInvisibleUntilCommitted() {
        byte[] content = bytes(1000, 3);
        Digest d = Digest.of(content);
        try (ContentWriter w = store.writer("partial", content.length, d)) {
            w.write(content, 0, 500);
            assertThatThrownBy(() -> store.info(d)).isInstanceOf(NotFoundException.class).hasMessageContaining(d.toString());
            assertThatThrownBy(() -> store.open(d, 0)).isInstanceOf(NotFoundException.class);
            w.write(content, 500, 500);
            assertThatThrownBy(() -> store.info(d)).isInstanceOf(NotFoundException.class);
            w.commit(content.length, d);
        }
        assertThat(store.info(d).size()).isEqualTo(1000);
    }

    @Test
    void refusesADigestMismatchAndCommitsNothing() {
        byte[] content = bytes(1000, 4);
        Digest claimed = Digest.of(bytes(1000, 5));
        try (ContentWriter w = store.writer("bad", content.length, claimed)) {
            w.write(content, 0, content.length);
            assertThatThrownBy(() -> w.commit(content.length, claimed))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining(claimed.toString())
                    .hasMessageContaining(Digest.of(content).toString());
        }
        assertThatThrownBy(() -> store.info(claimed)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> store.info(Digest.of(content))).isInstanceOf(NotFoundException.class);
        assertThat(store.listStatuses()).extracting(IngestStatus::ref).doesNotContain("bad");
    }

    @Test
    void refusesACommitOfTheWrongSize() {
        byte[] content = bytes(1000, 6);
        try (ContentWriter w = store.writer("short", 0, null)) {
            w.write(content, 0, 999);
            assertThatThrownBy(() -> w.commit(1000, Digest.of(content)))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining("1000").hasMessageContaining("999");
        }
    }

    @Test
    void refusesWritingPastTheAnnouncedTotal() {
        byte[] content = bytes(100, 7);
        try (ContentWriter w = store.writer("big", 50, null)) {
            assertThatThrownBy(() -> w.write(content, 0, 100))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining("50");
        }
    }

    @Test
    void openingAWriterForExistingContentIsAlreadyExists() {
        byte[] content = bytes(100, 8);
        Digest d = put("one", content);
        assertThatThrownBy(() -> store.writer("two", content.length, d))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining(d.toString());
    }

    @Test
    void committingContentThatAppearedMeanwhileIsAlreadyExistsAndDropsTheIngest() {
        byte[] content = bytes(100, 9);
        try (ContentWriter w = store.writer("late", 0, null)) {
            w.write(content, 0, content.length);
            put("early", content);
            assertThatThrownBy(() -> w.commit(content.length, Digest.of(content))).isInstanceOf(AlreadyExistsException.class);
        }
        assertThat(store.listStatuses()).extracting(IngestStatus::ref).doesNotContain("late");
    }

    @Test
    void aSecondWriterOnALockedRefIsUnavailable() {
        try (ContentWriter w = store.writer("locked", 0, null)) {
            assertThatThrownBy(() -> store.writer("locked", 0, null))
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("locked");
        }
        try (ContentWriter again = store.writer("locked", 0, null)) {
            assertThat(again.offset()).isZero();
        }
    }

    @Test
    void aClosedIngestResumesWhereItStopped() {
        byte[] content = bytes(200_000, 10);
        Digest d = Digest.of(content);
        try (ContentWriter w = store.writer("resume", content.length, d)) {
            w.write(content, 0, 120_000);
        }
        IngestStatus st = store.status("resume");
        assertThat(st.offset()).isEqualTo(120_000);
        assertThat(st.total()).isEqualTo(200_000);
        assertThat(st.expected()).isEqualTo(d);
        try (ContentWriter w = store.writer("resume", content.length, d)) {
            assertThat(w.offset()).isEqualTo(120_000);
            w.write(content, 120_000, 80_000);
            assertThat(w.commit(content.length, d)).isEqualTo(d);
        }
    }

    @Test
    void anIngestSurvivesARestartAndResumes() throws Exception {
        byte[] content = bytes(300_000, 11);
        Digest d = Digest.of(content);
        try (ContentWriter w = store.writer("layer-" + d, content.length, d)) {
            w.write(content, 0, 100_000);
        }
        store = restartStore(store);
        assertThat(store.listStatuses()).singleElement().satisfies(s -> {
            assertThat(s.ref()).isEqualTo("layer-" + d);
            assertThat(s.offset()).isEqualTo(100_000);
            assertThat(s.total()).isEqualTo(300_000);
        });
        try (ContentWriter w = store.writer("layer-" + d, content.length, d)) {
            assertThat(w.offset()).isEqualTo(100_000);
            w.write(content, 100_000, 200_000);
            w.commit(content.length, d);
        }
        assertThat(readAll(store, d)).isEqualTo(content);
        assertThat(store.listStatuses()).isEmpty();
    }

    @Test
    void aWriterForADifferentBlobUnderTheSameRefStartsOver() {
        byte[] a = bytes(1000, 12);
        byte[] b = bytes(2000, 13);
        try (ContentWriter w = store.writer("same", a.length, Digest.of(a))) {
            w.write(a, 0, 500);
        }
        try (ContentWriter w = store.writer("same", b.length, Digest.of(b))) {
            assertThat(w.offset()).isZero();
        }
    }

    @Test
    void truncateToZeroRestartsTheIngest() {
        byte[] content = bytes(1000, 14);
        try (ContentWriter w = store.writer("t", 0, null)) {
            w.write(bytes(700, 15), 0, 700);
            w.truncate(0);
            assertThat(w.offset()).isZero();
            w.write(content, 0, content.length);
            assertThat(w.commit(content.length, Digest.of(content))).isEqualTo(Digest.of(content));
        }
    }

    @Test
    void listsAndAbortsIngests() {
        try (ContentWriter a = store.writer("a", 10, null); ContentWriter b = store.writer("b", 0, null)) {
            a.write(new byte[4], 0, 4);
        }
        assertThat(store.listStatuses()).extracting(IngestStatus::ref).containsExactlyInAnyOrder("a", "b");
        assertThat(store.status("a").offset()).isEqualTo(4);
        assertThat(store.status("a").startedAt()).isNotNull();
        store.abort("a");
        assertThat(store.listStatuses()).extracting(IngestStatus::ref).containsExactly("b");
        assertThatThrownBy(() -> store.status("a")).isInstanceOf(NotFoundException.class).hasMessageContaining("\"a\"");
        assertThatThrownBy(() -> store.abort("a")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void concurrentWritersOfTheSameContentCommitItOnce() throws Exception {
        byte[] content = bytes(2_000_000, 18);
        Digest d = Digest.of(content);
        int writers = 4;
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(writers);
        List<java.util.concurrent.Future<String>> results = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            for (int i = 0; i < writers; i++) {
                String ref = "w" + i;
                results.add(pool.submit(() -> {
                    try (ContentWriter w = store.writer(ref, 0, null)) {
                        w.write(content, 0, content.length);
                        ready.countDown();
                        ready.await();
                        w.commit(content.length, d);
                        return "committed";
                    } catch (AlreadyExistsException e) {
                        return "exists";
                    }
                }));
            }
            List<String> outcomes = new ArrayList<>();
            for (var f : results) outcomes.add(f.get());
            assertThat(outcomes).contains("committed").allMatch(o -> o.equals("committed") || o.equals("exists"));
        }
        assertThat(readAll(store, d)).isEqualTo(content);
        assertThat(store.listStatuses()).isEmpty();
    }

    @Test
    void walksAndDeletesBlobs() {
        Digest a = put("a", bytes(10, 16));
        Digest b = put("b", bytes(20, 17));
        List<Info> seen = new ArrayList<>();
        store.walk(seen::add);
        assertThat(seen).extracting(Info::digest).containsExactlyInAnyOrder(a, b);
        store.delete(a);
        seen.clear();
        store.walk(seen::add);
        assertThat(seen).extracting(Info::digest).containsExactly(b);
        assertThatThrownBy(() -> store.delete(a)).isInstanceOf(NotFoundException.class).hasMessageContaining(a.toString());
        assertThatThrownBy(() -> store.info(a)).isInstanceOf(NotFoundException.class);
    }
}
