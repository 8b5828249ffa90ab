package io.jcontainerd.shim.io;

import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.linux.SyscallException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Waits, on one thread for the whole shim, until there is something to read on the stdin FIFOs of its processes
 * (the client opened the write end and wrote, or closed it again). Most clients never open it (a detached
 * {@code ctr run -d}, every CRI container without stdin): a thread per process blocked in open(2) cost each
 * running container ~52 KB of touched stack. A FIFO is opened without waiting ({@code O_RDONLY | O_NONBLOCK}) and
 * handed here; its copier thread starts only when {@link #await}'s action runs.
 */
final class StdinWaiter {
    private static StdinWaiter shared;

    private final ShimSyscalls sys;
    private final int wakeRead;
    private final int wakeWrite;
    /** fd -> what runs when it is readable; insertion order is the poll order. */
    private final Map<Integer, IntConsumer> waiting = new LinkedHashMap<>();

    private StdinWaiter(ShimSyscalls sys) {
        this.sys = sys;
        int[] pipe = sys.pipe();
        this.wakeRead = pipe[0];
        this.wakeWrite = pipe[1];
        Thread.ofPlatform().name("stdin-wait").daemon().stackSize(256 * 1024).start(this::loop);
    }

    /** The shim's one waiter, started on first use. */
    static synchronized StdinWaiter shared(ShimSyscalls sys) {
        if (shared == null) {
            shared = new StdinWaiter(sys);
        }
        return shared;
    }

    /** Runs {@code whenReadable} with {@code fd} (on this waiter's thread) once it is readable or hung up. */
    void await(int fd, IntConsumer whenReadable) {
        synchronized (waiting) {
            waiting.put(fd, whenReadable);
        }
        wake();
    }

    /** Stops waiting for {@code fd}; false when its action already ran or runs now (the action then owns it). */
    boolean cancel(int fd) {
        boolean removed;
        synchronized (waiting) {
            removed = waiting.remove(fd) != null;
        }
        if (removed) {
            wake();
        }
        return removed;
    }

    private void wake() {
        sys.write(wakeWrite, new byte[] {1}, 1);
    }

    private void loop() {
        byte[] drain = new byte[64];
        while (true) {
            int[] fds;
            synchronized (waiting) {
                fds = new int[waiting.size() + 1];
                fds[0] = wakeRead;
                int i = 1;
                for (int fd : waiting.keySet()) {
                    fds[i++] = fd;
                }
            }
            short[] ready;
            try {
                ready = sys.awaitReadable(fds);
                if (ready[0] != 0) {
                    sys.read(wakeRead, drain, drain.length); // readable, so it does not block
                }
            } catch (SyscallException e) {
                System.err.println("jcontainerd-shim: waiting for stdin: " + e.getMessage());
                continue;
            }
            for (int i = 1; i < fds.length; i++) {
                if (ready[i] == 0) {
                    continue;
                }
                IntConsumer action;
                synchronized (waiting) {
                    action = waiting.remove(fds[i]);
                }
                if (action != null) {
                    try {
                        action.accept(fds[i]);
                    } catch (RuntimeException e) {
                        System.err.println("jcontainerd-shim: starting a stdin copier: " + e);
                    }
                }
            }
        }
    }
}
