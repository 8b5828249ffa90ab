package io.jcontainerd.supervisor.docker.http;

import java.util.function.Predicate;

/**
 * Output frames ({@link StreamFrames}: a header each without a TTY, raw bytes with one) gathered
 * into blocks of up to 128 KiB, each sent with one write: a 100 MiB log read back is 1.3 million
 * frames, and a write with a flush per frame cost a syscall each. The frames are the same bytes
 * the client would get one by one; only the write boundaries move.
 */
public final class FrameBatch {
    static final int SIZE = 128 * 1024;
    private final boolean tty;
    private final Predicate<byte[]> sink;
    private byte[] buf = new byte[SIZE];
    private int n;

    /** @param sink sends one block, false when the client went away (e.g. {@code Chunked::write}) */
    public FrameBatch(boolean tty, Predicate<byte[]> sink) {
        this.tty = tty;
        this.sink = sink;
    }

    /** Adds one frame of {@code stream} holding {@code prefix} then {@code text}; false when the client went away. */
    public boolean add(int stream, byte[] prefix, byte[] text) {
        int length = prefix.length + text.length;
        int need = (tty ? 0 : 8) + length;
        if (n + need > buf.length && !flush()) {
            return false;
        }
        if (need > buf.length) {
            buf = new byte[need]; // a frame larger than a block (never from a log line: 16 KiB at most)
        }
        if (!tty) {
            buf[n] = (byte) stream;
            buf[n + 1] = 0;
            buf[n + 2] = 0;
            buf[n + 3] = 0;
            buf[n + 4] = (byte) (length >>> 24);
            buf[n + 5] = (byte) (length >>> 16);
            buf[n + 6] = (byte) (length >>> 8);
            buf[n + 7] = (byte) length;
            n += 8;
        }
        System.arraycopy(prefix, 0, buf, n, prefix.length);
        n += prefix.length;
        System.arraycopy(text, 0, buf, n, text.length);
        n += text.length;
        return true;
    }

    /** Sends what is held; false when the client went away. */
    public boolean flush() {
        if (n == 0) {
            return true;
        }
        byte[] block = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
        buf = new byte[SIZE]; // the block now belongs to the channel until it is written
        n = 0;
        return sink.test(block);
    }
}
