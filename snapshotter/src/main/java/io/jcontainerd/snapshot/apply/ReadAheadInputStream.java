package io.jcontainerd.snapshot.apply;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads its source on a thread of its own, a few chunks ahead of the consumer: decompressing and
 * hashing a layer then overlaps with creating its files, which is mostly kernel time. This is
 * where unpacking gains most on a two-core machine.
 */
final class ReadAheadInputStream extends InputStream {
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] data, int length, IOException failure) {
    }

    private final BlockingQueue<Chunk> queue;
    /** Buffers the consumer is done with, reused by the producer: no fresh 256 KiB per chunk. */
    private final BlockingQueue<byte[]> free;
    /** Where buffers come from and go back to once the stream is done: the next layer reuses them. */
    private final ChunkPool pool;
    private final Thread producer;
    private volatile boolean closed;
    private Chunk current;
    private int pos;
    private boolean ended;

    ReadAheadInputStream(InputStream source, ChunkPool pool, int depth) {
        this.queue = new ArrayBlockingQueue<>(depth);
        this.free = new ArrayBlockingQueue<>(depth + 2);
        this.pool = pool;
        this.producer = Thread.ofPlatform().daemon().name("layer-read-ahead").start(() -> produce(source, pool.chunkSize()));
    }

    private void produce(InputStream source, int chunkSize) {
        while (!closed) {
            byte[] buf = free.poll();
            if (buf == null) {
                buf = pool.take();
            }
            int n = 0;
            try {
                while (n < chunkSize) {
                    int r = source.read(buf, n, chunkSize - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
            } catch (IOException | RuntimeException e) {
                // hand over what was read before the failure, so the error names the right entry
                handOver(buf, n);
                put(new Chunk(END, 0, e instanceof IOException io ? io : new IOException(e.getMessage(), e)));
                return;
            }
            handOver(buf, n);
            if (n < chunkSize) {
                put(new Chunk(END, 0, null));
                return;
            }
        }
    }

    /** Queues what {@code buf} holds; an empty one goes back with the free ones, for close to return. */
    private void handOver(byte[] buf, int n) {
        if (n > 0) {
            put(new Chunk(buf, n, null));
        } else {
            free.offer(buf);
        }
    }

    private void put(Chunk c) {
        try {
            while (!closed && !queue.offer(c, 100, TimeUnit.MILLISECONDS)) {
                // the consumer is busy: wait, unless it has gone
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        if (current != null && pos < current.length()) {
            return true;
        }
        if (current != null && current.data() != END) {
            free.offer(current.data());
        }
        try {
            current = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the layer");
        }
        pos = 0;
        if (current.failure() != null) {
            ended = true;
            throw current.failure();
        }
        if (current.data() == END) {
            ended = true;
            return false;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current.data()[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length() - pos);
        System.arraycopy(current.data(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n && fill()) {
            int step = (int) Math.min(n - done, current.length() - pos);
            pos += step;
            done += step;
        }
        return done;
    }

    /** Waits until the producer has read its source to the end (so its digest is complete). */
    void drain() throws IOException {
        while (fill()) {
            pos = current.length();
        }
        join();
    }

    private void join() throws IOException {
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing the layer");
        }
    }

    /**
     * Stops the producer without waiting: it may be blocked reading the caller's stream, which
     * the caller closes; it then ends on its own. The buffers the producer can no longer reach go
     * back to the pool: the queued ones and the free ones (each taken from the queues once, so none
     * is both given back and filled); one it is filling now is left to it.
     */
    @Override
    public void close() {
        closed = true;
        if (current != null && current.data() != END) {
            pool.give(current.data());
        }
        current = null;
        ended = true;
        for (Chunk c; (c = queue.poll()) != null; ) {
            if (c.data() != END) {
                pool.give(c.data());
            }
        }
        for (byte[] b; (b = free.poll()) != null; ) {
            pool.give(b);
        }
    }
}
