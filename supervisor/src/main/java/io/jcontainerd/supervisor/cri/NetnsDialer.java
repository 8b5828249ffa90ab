package io.jcontainerd.supervisor.cri;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Opens TCP connections to 127.0.0.1 of a pod: a platform thread of its own enters the pod's
 * network namespace (setns(2) on that thread only), creates and connects the socket there, and
 * goes back before it ends. A socket belongs to the namespace it was made in, so the connection
 * reaches the pod's loopback, never the host's. The CRI's one system call of its own (JNA).
 */
final class NetnsDialer {
    private interface LibC extends Library {
        int open(String path, int flags);

        int close(int fd);

        int setns(int fd, int nstype);
    }

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final LibC LIBC = Native.load("c", LibC.class);

    private NetnsDialer() {
    }

    /** Connects to 127.0.0.1:{@code port} in the network namespace pinned at {@code netns} (null: the daemon's own). */
    static SocketChannel dial(Path netns, int port) throws IOException {
        if (netns == null) {
            return connect(port);
        }
        FutureTask<SocketChannel> task = new FutureTask<>(() -> inNamespace(netns, port));
        Thread.ofPlatform().daemon().name("cri-netns-dial").stackSize(256 * 1024).start(task);
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to port " + port + " in " + netns);
        }
    }

    private static SocketChannel inNamespace(Path netns, int port) throws IOException {
        int self = LIBC.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0) {
            throw new IOException("cannot open this thread's network namespace: errno " + Native.getLastError());
        }
        int target = LIBC.open(netns.toString(), O_RDONLY | O_CLOEXEC);
        try {
            if (target < 0) {
                throw new IOException("cannot open the pod's network namespace " + netns + ": errno " + Native.getLastError());
            }
            if (LIBC.setns(target, CLONE_NEWNET) != 0) {
                throw new IOException("cannot enter the pod's network namespace " + netns + ": errno " + Native.getLastError());
            }
            try {
                return connect(port);
            } finally {
                if (LIBC.setns(self, CLONE_NEWNET) != 0) {
                    // this thread ends right after; nothing else runs on it
                    java.util.logging.Logger.getLogger(NetnsDialer.class.getName())
                            .warning("could not return a dialling thread to the daemon's network namespace: errno " + Native.getLastError());
                }
            }
        } finally {
            if (target >= 0) {
                LIBC.close(target);
            }
            LIBC.close(self);
        }
    }

    private static SocketChannel connect(int port) throws IOException {
        SocketChannel s = SocketChannel.open(StandardProtocolFamily.INET);
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
