package io.jcontainerd.content.store;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;

/** A writer on one ingest directory of a {@link LocalContentStore}. */
final class LocalContentWriter implements ContentWriter {
    /**
     * The most one channel write takes from the caller's buffer. A heap buffer is copied through a
     * temporary direct buffer of the thread's; the JDK keeps one per thread up to
     * {@code jdk.nio.maxCachedBufferSize} (256 KiB in bin/jcontainerd) and mallocs and frees a larger
     * one on every write: a 1 MiB Content.Write chunk did, and the C library kept what was freed in
     * each thread's arena (README "Performance", "Daemon memory during pulls, session 11").
     */
    static final int WRITE_SLICE = 256 * 1024;

    private final LocalContentStore store;
    private final String ref;
    private final Path dir;
    private final Path data;
    private final long total;
    private final Digest expected;
    private final Instant startedAt;
    private FileChannel channel;
    private MessageDigest hasher;
    private long offset;
    private boolean closed;

    private LocalContentWriter(LocalContentStore store, String ref, Path dir, long total, Digest expected,
                               Instant startedAt, FileChannel channel, MessageDigest hasher, long offset) {
        this.store = store;
        this.ref = ref;
        this.dir = dir;
        this.data = dir.resolve(IngestFiles.DATA);
        this.total = total;
        this.expected = expected;
        this.startedAt = startedAt;
        this.channel = channel;
        this.hasher = hasher;
        this.offset = offset;
    }

    /**
     * Resumes the ingest if one with the same ref (and compatible total/expected) is on disk, by
     * re-hashing its data file; otherwise starts a new one.
     */
    static LocalContentWriter openOrResume(LocalContentStore store, String ref, Path dir, long total, Digest expected) {
        try {
            Optional<IngestStatus> existing = IngestFiles.read(dir);
            boolean resumable = existing.isPresent()
                    && existing.get().ref().equals(ref)
                    && (expected == null || existing.get().expected() == null || expected.equals(existing.get().expected()))
                    && (total == 0 || existing.get().total() == 0 || total == existing.get().total())
                    && (total == 0 || existing.get().offset() <= total);
            if (!resumable && Files.exists(dir)) {
                IngestFiles.removeDir(dir); // a different blob under the same ref: its bytes are useless
            }
            Instant started = resumable ? existing.get().startedAt() : LocalContentStore.now();
            long keepTotal = total != 0 ? total : resumable ? existing.get().total() : 0;
            Digest keepExpected = expected != null ? expected : resumable ? existing.get().expected() : null;
            Files.createDirectories(dir);
            Path data = dir.resolve(IngestFiles.DATA);
            FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                MessageDigest hasher = keepExpected != null ? keepExpected.newHasher() : Digest.newSha256();
                long offset = rehash(ch, hasher);
                ch.position(offset);
                IngestFiles.writeMeta(dir, ref, keepTotal, keepExpected, started);
                return new LocalContentWriter(store, ref, dir, keepTotal, keepExpected, started, ch, hasher, offset);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw StoreIo.failed("open ingest \"" + ref + "\" at", dir, e);
        }
    }

    /** Feeds the whole data file to the hasher; returns its length. */
    private static long rehash(FileChannel ch, MessageDigest hasher) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        int n;
        while ((n = ch.read(buf, pos)) > 0) {
            buf.flip();
            hasher.update(buf);
            buf.clear();
            pos += n;
        }
        return pos;
    }

    @Override
    public String ref() {
        return ref;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public void write(ByteBuffer src) {
        checkOpen();
        int len = src.remaining();
        if (total > 0 && offset + len > total) {
            throw JcdException.failedPrecondition(
                    "ingest \"%s\": writing %d bytes at offset %d goes past the announced total of %d bytes",
                    ref, len, offset, total);
        }
        ByteBuffer forHash = src.duplicate();
        int end = src.limit();
        try {
            while (src.position() < end) {
                src.limit(Math.min(end, src.position() + WRITE_SLICE));
                channel.write(src);
            }
        } catch (IOException e) {
            throw StoreIo.failed("write ingest \"" + ref + "\" to", data, e);
        } finally {
            src.limit(end); // the caller's buffer keeps its limit, a failed write too
        }
        hasher.update(forHash);
        offset += len;
    }

    @Override
    public Digest digest() {
        try {
            MessageDigest copy = (MessageDigest) hasher.clone();
            return finish(copy);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("hasher cannot be cloned", e);
        }
    }

    private Digest finish(MessageDigest h) {
        return expected != null ? expected.withHash(h.digest()) : Digest.sha256(h.digest());
    }

    @Override
    public IngestStatus status() {
        return new IngestStatus(ref, offset, total, expected, startedAt, LocalContentStore.now());
    }

    @Override
    public void truncate(long size) {
        checkOpen();
        if (size < 0 || size > offset) {
            throw JcdException.invalidArgument("ingest \"%s\": cannot truncate to %d, it holds %d bytes", ref, size, offset);
        }
        try {
            channel.truncate(size);
            hasher = expected != null ? expected.newHasher() : Digest.newSha256();
            if (size > 0) {
                offset = rehashPrefix(size);
            } else {
                offset = 0;
            }
            channel.position(offset);
        } catch (IOException e) {
            throw StoreIo.failed("truncate ingest \"" + ref + "\" at", data, e);
        }
    }

    private long rehashPrefix(long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < size) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), size - pos));
            int n = channel.read(buf, pos);
            if (n <= 0) break;
            buf.flip();
            hasher.update(buf);
            pos += n;
        }
        return pos;
    }

    @Override
    public Digest commit(long size, Digest expectedAtCommit) {
        checkOpen();
        Digest want = expectedAtCommit != null ? expectedAtCommit : expected;
        if (size > 0 && size != offset) {
            throw JcdException.failedPrecondition(
                    "ingest \"%s\": commit expected %d bytes but %d were written", ref, size, offset);
        }
        if (total > 0 && size <= 0 && offset != total) {
            throw JcdException.failedPrecondition(
                    "ingest \"%s\": commit with %d of the announced %d bytes written", ref, offset, total);
        }
        Digest actual = finish(hasher);
        try {
            if (want != null && !want.equals(actual)) {
                discard();
                throw JcdException.failedPrecondition(
                        "ingest \"%s\": content digest %s does not match the expected %s; the data was discarded",
                        ref, actual, want);
            }
            channel.force(true);
            channel.close();
            boolean fresh = store.publish(data, actual);
            IngestFiles.removeDir(dir);
            if (!fresh) {
                throw JcdException.alreadyExists("content %s: already exists", actual);
            }
            return actual;
        } catch (IOException e) {
            throw StoreIo.failed("commit ingest \"" + ref + "\" from", data, e);
        } finally {
            release();
        }
    }

    private void discard() throws IOException {
        channel.close();
        IngestFiles.removeDir(dir);
    }

    @Override
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                LocalContentWriter.this.write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                LocalContentWriter.this.write(b, off, len);
            }

            @Override
            public void close() {
                LocalContentWriter.this.close();
            }
        };
    }

    @Override
    public void close() {
        if (closed) return;
        try {
            channel.close();
            if (Files.isDirectory(dir)) {
                IngestFiles.touchUpdated(dir);
            }
        } catch (IOException e) {
            throw StoreIo.failed("close ingest \"" + ref + "\" at", data, e);
        } finally {
            release();
        }
    }

    private void release() {
        if (!closed) {
            closed = true;
            store.unlock(ref);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw JcdException.failedPrecondition("ingest \"%s\": the writer is closed", ref);
        }
    }
}
