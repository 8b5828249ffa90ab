package io.jcontainerd.ctr.client;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a call's callbacks one at a time, in the order they were enqueued, on the call's executor
 * (on the flushing thread when the call has none). Callbacks are enqueued under the call's lock and
 * run after it is released ({@link #flush}), so a callback may use the call again.
 */
final class SerialExecutor {
    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    void enqueue(Runnable r) {
        queue.add(r);
    }

    /** Starts running what is queued, unless that is already happening. */
    void flush() {
        if (queue.isEmpty() || !running.compareAndSet(false, true)) {
            return;
        }
        if (executor == null) {
            drain();
        } else {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        do {
            try {
                Runnable r;
                while ((r = queue.poll()) != null) {
                    r.run();
                }
            } finally {
                running.set(false);
            }
        } while (!queue.isEmpty() && running.compareAndSet(false, true));
    }
}
