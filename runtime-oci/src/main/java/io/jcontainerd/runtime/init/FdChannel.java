package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** {@link SyncChannel} over a raw socket fd (one end of the socketpair between jrunc and the init stage). */
public final class FdChannel implements SyncChannel {
    private final int fd;
    private boolean closed;

    public FdChannel(int fd) { this.fd = fd; }

    public int fd() { return fd; }

    @Override public void send(String line) {
        if (closed) return;
        writeAll((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** One line, or null at end of stream (the other side exited). */
    @Override public String receive() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (true) {
            long n = LibC.INSTANCE.read(fd, one, 1);
            if (n <= 0) return out.size() == 0 ? null : out.toString(StandardCharsets.UTF_8);
            if (one[0] == '\n') return out.toString(StandardCharsets.UTF_8);
            out.write(one[0]);
        }
    }

    public void sendBytes(byte[] data) {
        writeAll(ByteBuffer.allocate(4).putInt(data.length).array());
        writeAll(data);
    }

    public byte[] receiveBytes() {
        byte[] len = readFully(4);
        return readFully(ByteBuffer.wrap(len).getInt());
    }

    private byte[] readFully(int size) {
        byte[] buf = new byte[size];
        int off = 0;
        while (off < size) {
            byte[] chunk = new byte[size - off];
            long n = LibC.INSTANCE.read(fd, chunk, chunk.length);
            if (n <= 0) throw JruncException.system("sync socket closed after %d of %d bytes", off, size);
            System.arraycopy(chunk, 0, buf, off, (int) n);
            off += (int) n;
        }
        return buf;
    }

    private void writeAll(byte[] data) {
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            long n = LibC.INSTANCE.write(fd, chunk, chunk.length);
            if (n <= 0) throw JruncException.system("sync socket write failed");
            off += (int) n;
        }
    }

    @Override public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
