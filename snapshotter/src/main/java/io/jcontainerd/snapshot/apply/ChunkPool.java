package io.jcontainerd.snapshot.apply;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Byte chunks that layer applies hand back for the next apply to reuse. A chunk lives as long as
 * its layer's apply (a second or more), so it outlives young collections and is promoted; fresh
 * chunks per layer made the old generation grow by a few MB per layer, garbage no young collection
 * frees (README "Performance", "Daemon memory during pulls, session 11"). The pool keeps at most
 * {@code capacity} chunks: applies running at once allocate what it lacks and what it cannot hold
 * back is dropped.
 */
final class ChunkPool {
    /** The pool the layer applies share: one apply's read-ahead chunks and its file-write buffer. */
    static final ChunkPool LAYERS = new ChunkPool(256 * 1024, LayerApplier.READ_AHEAD_DEPTH + 3);

    private final int chunkSize;
    private final BlockingQueue<byte[]> free;
    private final AtomicLong allocated = new AtomicLong();

    ChunkPool(int chunkSize, int capacity) {
        this.chunkSize = chunkSize;
        this.free = new ArrayBlockingQueue<>(capacity);
    }

    int chunkSize() {
        return chunkSize;
    }

    /** A chunk of {@link #chunkSize} bytes, reused if one is free; its content is undefined. */
    byte[] take() {
        byte[] c = free.poll();
        if (c != null) {
            return c;
        }
        allocated.incrementAndGet();
        return new byte[chunkSize];
    }

    /** Gives a chunk back; the caller must not touch it afterwards. Dropped if the pool is full or the size differs. */
    void give(byte[] chunk) {
        if (chunk.length == chunkSize) {
            free.offer(chunk);
        }
    }

    /** Chunks allocated because none was free, since the pool was made. */
    long allocated() {
        return allocated.get();
    }

    /** Chunks waiting to be reused. */
    int size() {
        return free.size();
    }
}
