package io.jcontainerd.content.pull;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.registry.Fetcher;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.ContentWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gets one blob into the content store: nothing if it is there, else resume its ingest (or start
 * one) and stream the rest from the registry; the writer verifies size and digest on commit.
 */
final class BlobDownloader {

    private static final int CHUNK = 256 * 1024;
    /** How long to wait for another pull that holds the same ingest before giving up. */
    private static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final ContentStore store;
    private final Fetcher fetcher;
    private final PullListener listener;
    final AtomicLong bytesDownloaded = new AtomicLong();
    final AtomicInteger fetched = new AtomicInteger();
    final AtomicInteger existing = new AtomicInteger();

    BlobDownloader(ContentStore store, Fetcher fetcher, PullListener listener) {
        this.store = store;
        this.fetcher = fetcher;
        this.listener = listener;
    }

    boolean exists(Descriptor desc) {
        try {
            store.info(desc.digest());
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Ensures the blob is committed. Returns true if this call downloaded it. */
    boolean download(Descriptor desc) {
        String ref = desc.ingestRef();
        if (exists(desc)) {
            return existed(desc, ref);
        }
        ContentWriter writer;
        try {
            writer = openWriter(desc, ref);
        } catch (AlreadyExistsException e) {
            return existed(desc, ref);
        }
        if (writer == null) { // another pull committed it while we waited for its lock
            return existed(desc, ref);
        }
        long resumedAt = writer.offset();
        try (writer) {
            if (!fill(desc, ref, writer)) {
                return false;
            }
        } catch (JcdException e) {
            if (e.kind() == ErrorKind.FAILED_PRECONDITION || e.kind() == ErrorKind.INVALID_ARGUMENT) {
                abortQuietly(ref); // bad bytes: never resume from them
                if (resumedAt > 0 && !exists(desc)) {
                    // The ingest we resumed held bytes that were not the blob's (e.g. left by a
                    // crash): start again from zero once, rather than failing the pull.
                    return download(desc);
                }
            }
            listener.onProgress(new PullProgress(ref, desc, PullPhase.FAILED, 0, desc.size()));
            throw e;
        }
        fetched.incrementAndGet();
        listener.onProgress(new PullProgress(ref, desc, PullPhase.DONE, desc.size(), desc.size()));
        return true;
    }

    private boolean existed(Descriptor desc, String ref) {
        existing.incrementAndGet();
        listener.onProgress(new PullProgress(ref, desc, PullPhase.EXISTS, desc.size(), desc.size()));
        return false;
    }

    /** Streams the missing bytes and commits; false if another writer committed the blob first. */
    private boolean fill(Descriptor desc, String ref, ContentWriter writer) {
        long offset = writer.offset();
        listener.onProgress(new PullProgress(ref, desc, PullPhase.DOWNLOADING, offset, desc.size()));
        if (offset < desc.size()) {
            copy(desc, ref, writer, offset);
        }
        try {
            writer.commit(desc.size(), desc.digest());
            return true;
        } catch (AlreadyExistsException raced) {
            return existed(desc, ref);
        }
    }

    /** A writer, waiting while another pull holds the same ref; null if that pull committed the blob. */
    private ContentWriter openWriter(Descriptor desc, String ref) {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        long sleep = 20;
        while (true) {
            try {
                return store.writer(ref, desc.size(), desc.digest());
            } catch (UnavailableException locked) {
                if (exists(desc)) return null;
                if (System.nanoTime() > deadline) throw locked;
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw JcdException.of(ErrorKind.CANCELLED, "pull cancelled while waiting for ingest " + ref, e);
                }
                sleep = Math.min(500, sleep * 2);
            }
        }
    }

    private void copy(Descriptor desc, String ref, ContentWriter writer, long offset) {
        byte[] buf = new byte[CHUNK];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long pos = offset;
        try (InputStream in = fetcher.fetch(desc, offset)) {
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                bb.clear().limit(n);
                writer.write(bb);
                pos += n;
                bytesDownloaded.addAndGet(n);
                listener.onProgress(new PullProgress(ref, desc, PullPhase.DOWNLOADING, pos, desc.size()));
            }
        } catch (IOException e) {
            throw JcdException.of(ErrorKind.UNAVAILABLE, String.format(
                    "download of %s stopped at %d of %d bytes: %s; the partial ingest \"%s\" is kept and the next pull resumes from it",
                    desc.digest(), pos, desc.size(), e.getMessage(), ref), e);
        }
    }

    private void abortQuietly(String ref) {
        try {
            store.abort(ref);
        } catch (NotFoundException alreadyGone) {
            // the writer discarded it on the digest mismatch
        }
    }
}
