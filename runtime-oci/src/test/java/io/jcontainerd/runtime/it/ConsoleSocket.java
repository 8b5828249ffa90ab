package io.jcontainerd.runtime.it;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The receiving end of --console-socket, as containerd's shim has it: accept, recvmsg the pty master. */
final class ConsoleSocket implements AutoCloseable {
    interface C extends Library {
        C I = Native.load("libc.so.6", C.class);
        int socket(int domain, int type, int protocol);
        int bind(int fd, Memory addr, int len);
        int listen(int fd, int backlog);
        int accept(int fd, Memory addr, Memory len);
        long recvmsg(int fd, Memory msg, int flags);
        long read(int fd, byte[] buf, long n);
        int close(int fd);
    }

    private final int listener;

    ConsoleSocket(Path path) {
        listener = C.I.socket(1, 1, 0);
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        Memory addr = new Memory(110);
        addr.clear();
        addr.setShort(0, (short) 1);
        addr.write(2, p, 0, p.length);
        if (C.I.bind(listener, addr, 2 + p.length + 1) < 0 || C.I.listen(listener, 1) < 0) {
            throw new IllegalStateException("cannot listen on " + path + ": errno " + Native.getLastError());
        }
    }

    /** Accepts jrunc's connection and returns the pty master fd it sent. */
    int receiveMaster() {
        int conn = C.I.accept(listener, null, null);
        if (conn < 0) throw new IllegalStateException("accept: errno " + Native.getLastError());
        try {
            Memory data = new Memory(4096), iov = new Memory(16), control = new Memory(64), msg = new Memory(56);
            iov.setPointer(0, data);
            iov.setLong(8, 4096);
            control.clear();
            msg.clear();
            msg.setPointer(16, iov);
            msg.setLong(24, 1);
            msg.setPointer(32, control);
            msg.setLong(40, 64);
            if (C.I.recvmsg(conn, msg, 0) < 0) throw new IllegalStateException("recvmsg: errno " + Native.getLastError());
            if (control.getInt(8) != 1 || control.getInt(12) != 1) throw new IllegalStateException("no SCM_RIGHTS in the console message");
            return control.getInt(16);
        } finally {
            C.I.close(conn);
        }
    }

    /** Reads from the master until `marker` shows up (or 30 s pass). */
    static String readUntil(int master, String marker) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        long deadline = System.currentTimeMillis() + 30_000;
        byte[] buf = new byte[4096];
        while (!out.toString().contains(marker) && System.currentTimeMillis() < deadline) {
            long n = C.I.read(master, buf, buf.length);
            if (n <= 0) break;
            out.append(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    @Override public void close() { C.I.close(listener); }
}
