package io.jcontainerd.supervisor.docker.http;

import io.grpc.netty.shaded.io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body read as it arrives, with bounded memory: the connection reads (Netty's
 * {@code read()} with autoRead off) only while less than {@link #HIGH} bytes wait here, and reads
 * again once the handler has taken them below {@link #LOW}. The client's hang-up before the body's
 * end is an IOException, not a short body. Closing it (the dispatcher does, after the handler)
 * drops whatever is still to come.
 */
final class BodyStream extends InputStream {
    static final int HIGH = 1 << 20;
    static final int LOW = 256 << 10;
    private final Channel channel;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long queued;
    private boolean ended;
    private boolean broken;
    private boolean closed;
    private boolean paused;
    private byte[] current = new byte[0];
    private int pos;

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
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos >= current.length && !next()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean next() throws IOException {
        boolean resume;
        synchronized (this) {
            while (chunks.isEmpty()) {
                if (closed) {
                    throw new IOException("the request body was closed");
                }
                if (ended) {
                    return false;
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
            current = chunks.poll();
            pos = 0;
            queued -= current.length;
            resume = paused && queued < LOW;
            if (resume) {
                paused = false;
            }
        }
        if (resume) {
            channel.eventLoop().execute(channel::read);
        }
        return true;
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
