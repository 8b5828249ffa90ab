package io.jcontainerd.runtime.init;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** {@link SyncChannel} over a raw socket fd (one end of the socketpair between jrunc and the init stage). */
public final class FdChannel implements SyncChannel {
    /** sizeof(struct cmsghdr) on x86_64: the fds of an SCM_RIGHTS message follow it. */
    private static final int CMSG_HEADER = 16;

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

    /** Passes {@code fds} to the other side in one message (SCM_RIGHTS); they stay open here. */
    public void sendFds(int... fds) {
        Memory data = new Memory(1);
        data.setByte(0, (byte) 'F');
        Memory iov = iov(data);
        Memory control = new Memory(cmsgSpace(fds.length));
        control.clear();
        control.setLong(0, CMSG_HEADER + 4L * fds.length); // CMSG_LEN
        control.setInt(8, 1);                               // SOL_SOCKET
        control.setInt(12, 1);                              // SCM_RIGHTS
        for (int i = 0; i < fds.length; i++) control.setInt(CMSG_HEADER + 4L * i, fds[i]);
        if (LibC.INSTANCE.sendmsg(fd, msghdr(iov, control), 0) != 1) {
            throw JruncException.system("cannot pass %d fds over the sync socket: errno %d", fds.length, Native.getLastError());
        }
    }

    /** The {@code count} fds sent by {@link #sendFds} (close-on-exec here), or null when the other side went away. */
    public int[] receiveFds(int count) {
        return receiveFds(count, count);
    }

    /** Like {@link #receiveFds(int)} for a message of {@code min} to {@code max} fds (what came, in order). */
    public int[] receiveFds(int min, int max) {
        Memory data = new Memory(1);
        Memory control = new Memory(cmsgSpace(max));
        control.clear();
        long n = LibC.INSTANCE.recvmsg(fd, msghdr(iov(data), control), 0x40000000 /* MSG_CMSG_CLOEXEC */);
        if (n <= 0) return null;
        long len = control.getLong(0);
        int count = (int) ((len - CMSG_HEADER) / 4);
        if (control.getInt(8) != 1 || control.getInt(12) != 1 || len < CMSG_HEADER || count < min || count > max
                || len != CMSG_HEADER + 4L * count) {
            throw JruncException.system("expected %s fds on the sync socket, got a message without them",
                    min == max ? Integer.toString(min) : min + " to " + max);
        }
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) fds[i] = control.getInt(CMSG_HEADER + 4L * i);
        return fds;
    }

    private static int cmsgSpace(int fds) { return CMSG_HEADER + ((4 * fds + 7) & ~7); }

    private static Memory iov(Memory data) {
        Memory iov = new Memory(16);
        iov.setPointer(0, data);
        iov.setLong(8, data.size());
        return iov;
    }

    /** struct msghdr (x86_64): no name, one iovec, the control buffer. */
    private static Memory msghdr(Memory iov, Memory control) {
        Memory msg = new Memory(56);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, control.size());
        return msg;
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
