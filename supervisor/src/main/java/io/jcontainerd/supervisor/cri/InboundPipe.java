package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Logger;

/**
 * Data from a streaming client on its way to a blocking sink (a process's stdin FIFO, a pod's
 * TCP connection), written by a platform thread of its own. It holds at most {@link #LIMIT} bytes
 * (plus one message): above that the connection stops reading the client until the sink catches
 * up, so a client sending faster than the process reads cannot make the daemon buffer it.
 */
final class InboundPipe {
    private static final Logger LOG = Logger.getLogger(InboundPipe.class.getName());
    static final int LIMIT = 1 << 20;
    private static final byte[] END = new byte[0];
    private final ChannelConnection connection;
    private final Sink sink;
    private final Deque<byte[]> queue = new ArrayDeque<>();
    private final java.util.Map<byte[], Runnable> actions = new java.util.IdentityHashMap<>();
    private long pending;
    private boolean ended;
    private boolean paused;

    /** Where the data goes; called on the pipe's own thread only. */
    interface Sink {
        void write(byte[] data) throws IOException;

        /** No more data (the client closed the stream, or the connection ended). */
        void end();
    }

    InboundPipe(String name, ChannelConnection connection, Sink sink) {
        this.connection = connection;
        this.sink = sink;
        Thread.ofPlatform().daemon().name(name).stackSize(256 * 1024).start(this::run);
    }

    /** Queues {@code data} (from the event loop: never blocks). */
    void offer(byte[] data) {
        boolean pause = false;
        synchronized (queue) {
            if (ended || data.length == 0) {
                return;
            }
            queue.addLast(data);
            pending += data.length;
            if (pending > LIMIT && !paused) {
                paused = pause = true;
            }
            queue.notifyAll();
        }
        if (pause) {
            connection.full(this, true);
        }
    }

    /**
     * Runs {@code action} on the pipe's thread once what was queued before it is written (a
     * terminal resize sent before some input takes effect before that input reaches the process).
     */
    void offerAction(Runnable action) {
        synchronized (queue) {
            if (ended) {
                return;
            }
            byte[] marker = new byte[0];
            actions.put(marker, action);
            queue.addLast(marker);
            queue.notifyAll();
        }
    }

    /** Ends the data: the sink is ended once what was queued is written. */
    void end() {
        synchronized (queue) {
            if (ended) {
                return;
            }
            ended = true;
            queue.addLast(END);
            queue.notifyAll();
        }
    }

    private void run() {
        boolean broken = false;
        while (true) {
            byte[] next;
            synchronized (queue) {
                while (queue.isEmpty()) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                next = queue.removeFirst();
            }
            if (next == END) {
                break;
            }
            Runnable action;
            synchronized (queue) {
                action = actions.remove(next);
            }
            if (action != null) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.fine(() -> "streaming action failed: " + e.getMessage());
                }
                continue;
            }
            if (!broken) {
                try {
                    sink.write(next);
                } catch (IOException e) {
                    broken = true; // the reader went away: what follows is dropped
                    LOG.fine(() -> "streaming input dropped: " + e.getMessage());
                }
            }
            boolean resume = false;
            synchronized (queue) {
                pending -= next.length;
                if (paused && pending <= LIMIT / 2) {
                    paused = false;
                    resume = true;
                }
            }
            if (resume) {
                connection.full(this, false);
            }
        }
        synchronized (queue) {
            if (paused) {
                paused = false;
                connection.full(this, false);
            }
        }
        sink.end();
    }
}
