package io.jcontainerd.supervisor.docker.http;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.jcontainerd.supervisor.docker.ChunkedInputStream;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A request body read as it arrives, with bounded memory: the connection reads (Netty's
 * {@code read()} with autoRead off) only while less than {@link #HIGH} bytes wait here, and reads
 * again once the handler has taken them below {@link #LOW}. The client's hang-up before the body's
 * end is an IOException, not a short body. Closing it (the dispatcher does, after the handler)
 * drops whatever is still to come.
 */
final class BodyStream extends ChunkedInputStream {
    static final int HIGH = 1 << 20;
    static final int LOW = 256 << 10;
    private final Channel channel;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long queued;
    private boolean ended;
    private boolean broken;
    private boolean closed;
    private boolean paused;

    BodyStream(Channel channel) {
        this.channel = channel;
    }

    /** Event loop: a chunk arrived; true if the connection should read on (false: wait for the consumer). */
    synchronized boolean offer(byte[] data) {
        if (closed) {
            return true;
        }
        if (data.length > 0) {
            chunks.add(data);
            queued += data.length;
            notifyAll();
        }
        paused = queued >= HIGH;
        return !paused;
    }

    /** Event loop: the body is complete. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** Event loop: the connection went away before the body's end. */
    synchronized void broken() {
        if (!ended) {
            broken = true;
            notifyAll();
        }
    }

    /** True once the handler is done with the body: what still arrives is dropped. */
    synchronized boolean closed() {
        return closed;
    }

    @Override
    protected byte[] nextChunk() throws IOException {
        byte[] next;
        boolean resume;
        synchronized (this) {
            while (chunks.isEmpty()) {
                if (closed) {
                    throw new IOException("the request body was closed");
                }
                if (ended) {
                    return null;
                }
                if (broken) {
                    throw new IOException("the client closed the connection before the request body ended");
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading the request body", e);
                }
            }
            next = chunks.poll();
            queued -= next.length;
            resume = paused && queued < LOW;
            if (resume) {
                paused = false;
            }
        }
        if (resume) {
            channel.eventLoop().execute(channel::read);
        }
        return next;
    }

    @Override
    public void close() {
        boolean resume;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            chunks.clear();
            queued = 0;
            resume = paused && !ended;
            paused = false;
            notifyAll();
        }
        if (resume) {
            channel.eventLoop().execute(channel::read);
        }
    }
}
