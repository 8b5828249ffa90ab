package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class LocalContentStoreTest extends ContentStoreConformance {

    private Path root;

    @Override
    protected ContentStore createStore() throws Exception {
        root = Files.createTempDirectory("jcd-content-");
        return LocalContentStore.open(root);
    }

    @Override
    protected ContentStore restartStore(ContentStore old) {
        return LocalContentStore.open(root);
    }

    @Override
    protected void destroyStore(ContentStore s) throws Exception {
        TempDirs.deleteRecursively(root);
    }

    @Test
    void laysBlobsOutLikeContainerd() throws Exception {
        byte[] content = bytes(1234, 1);
        Digest d = put("x", content);
        Path blob = root.resolve("blobs/sha256/" + d.hex());
        assertThat(blob).isRegularFile().hasBinaryContent(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(blob))).isEqualTo("r--r--r--");
    }

    @Test
    void writesABufferLargerThanOneSliceWhole() throws Exception {
        byte[] content = bytes(3 * LocalContentWriter.WRITE_SLICE + 123, 4);
        Digest d = Digest.of(content);
        ByteBuffer src = ByteBuffer.wrap(content).asReadOnlyBuffer(); // as a Content.Write chunk arrives
        try (ContentWriter w = store.writer("big", content.length, d)) {
            w.write(src);
            assertThat(src.hasRemaining()).isFalse();
            assertThat(src.limit()).isEqualTo(content.length);
            assertThat(w.offset()).isEqualTo(content.length);
            assertThat(w.commit(content.length, d)).isEqualTo(d);
        }
        assertThat(root.resolve("blobs/sha256/" + d.hex())).hasBinaryContent(content);
    }

    @Test
    void keepsIngestStateInNamedFiles() throws Exception {
        Digest d = Digest.of(bytes(100, 2));
        try (ContentWriter w = store.writer("layer-" + d, 100, d)) {
            w.write(bytes(100, 2), 0, 40);
        }
        String refHash = Digest.of(("layer-" + d).getBytes(StandardCharsets.UTF_8)).hex();
        Path dir = root.resolve("ingest").resolve(refHash);
        assertThat(dir.resolve("data")).hasSize(40);
        assertThat(dir.resolve("ref")).hasContent("layer-" + d);
        assertThat(dir.resolve("total")).hasContent("100");
        assertThat(dir.resolve("expected")).hasContent(d.toString());
        assertThat(dir.resolve("startedat")).exists();
        assertThat(dir.resolve("updatedat")).exists();
    }

    @Test
    void resumeRecomputesTheDigestFromTheDataFile() throws Exception {
        byte[] content = bytes(5000, 3);
        Digest d = Digest.of(content);
        try (ContentWriter w = store.writer("re", 0, null)) {
            w.write(content, 0, 2000);
        }
        // Another process (or a crash) left more bytes in data than this instance wrote.
        Path data = ((LocalContentStore) store).ingestDir("re").resolve("data");
        Files.write(data, java.util.Arrays.copyOf(content, 3000));
        ContentStore restarted = restartStore(store);
        try (ContentWriter w = restarted.writer("re", 0, null)) {
            assertThat(w.offset()).isEqualTo(3000);
            assertThat(w.digest()).isEqualTo(Digest.of(java.util.Arrays.copyOf(content, 3000)));
            w.write(content, 3000, 2000);
            assertThat(w.commit(5000, d)).isEqualTo(d);
        }
    }

    @Test
    void ignoresStrayFilesWhenWalking() throws Exception {
        put("x", bytes(10, 4));
        Files.writeString(root.resolve("blobs/sha256/not-a-digest"), "junk");
        java.util.List<Info> seen = new java.util.ArrayList<>();
        store.walk(seen::add);
        assertThat(seen).hasSize(1);
    }
}
