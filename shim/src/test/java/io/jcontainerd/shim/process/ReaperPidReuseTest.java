package io.jcontainerd.shim.process;

import io.jcontainerd.shim.linux.ShimSyscalls;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A pid is reused between one process's exit and the lookup of the next process with that pid: the
 * exit must go to the process that had it. The pids come from a fake process table that hands out
 * the same pid again as soon as its holder is reaped, as a kernel that wrapped around would.
 */
class ReaperPidReuseTest {
    private static final int PID = 4242;
    private static final long TIMEOUT_S = 10;

    @Test
    void anEarlierProcessReapedBeforeTheMarkDoesNotEndTheNewProcessWithItsPid() throws Exception {
        FakeProcessTable table = new FakeProcessTable();
        Reaper reaper = new Reaper(table).start();
        table.run(PID);
        table.exit(PID, 3);
        table.awaitReaped(1);

        long mark = reaper.mark();
        table.run(PID);
        CompletableFuture<ExitStatus> exit = reaper.exitOf(PID, mark);

        assertFalse(exit.isDone(), "the earlier process's exit (status 3) was given to the new one");
        table.exit(PID, 7);
        assertEquals(7, exit.get(TIMEOUT_S, TimeUnit.SECONDS).status());
    }

    @Test
    void anEarlierProcessReapedAfterTheMarkDoesNotEndTheNewProcessWithItsPid() throws Exception {
        FakeProcessTable table = new FakeProcessTable();
        Reaper reaper = new Reaper(table).start();
        table.run(PID);

        // The mark is taken, then the earlier holder of the pid exits and is reaped, then the
        // runtime's new process takes the freed pid: the wall clock cannot tell these apart.
        long mark = reaper.mark();
        table.exit(PID, 3);
        table.awaitReaped(1);
        table.run(PID);
        CompletableFuture<ExitStatus> exit = reaper.exitOf(PID, mark);

        assertFalse(exit.isDone(), "the earlier process's exit (status 3) was given to the new one");
        table.exit(PID, 7);
        assertEquals(7, exit.get(TIMEOUT_S, TimeUnit.SECONDS).status());
    }

    @Test
    void aProcessThatExitedBeforeItsPidWasAskedForGetsItsOwnExit() throws Exception {
        FakeProcessTable table = new FakeProcessTable();
        Reaper reaper = new Reaper(table).start();
        table.run(PID);
        table.exit(PID, 3);
        table.awaitReaped(1);

        long mark = reaper.mark();
        table.run(PID);
        table.exit(PID, 7);
        table.awaitReaped(2);

        assertEquals(7, reaper.exitOf(PID, mark).get(TIMEOUT_S, TimeUnit.SECONDS).status());
    }

    @Test
    void aSpawnedChildWhosePidWasUsedBeforeGetsItsOwnExit() throws Exception {
        FakeProcessTable table = new FakeProcessTable();
        Reaper reaper = new Reaper(table).start();
        table.run(PID);
        table.exit(PID, 3);
        table.awaitReaped(1);

        int pid = reaper.spawned(() -> table.run(PID));
        CompletableFuture<ExitStatus> exit = reaper.exitOf(pid, Reaper.ANY_EXIT);

        assertFalse(exit.isDone(), "the earlier process's exit (status 3) was given to the spawned child");
        table.exit(PID, 9);
        assertEquals(9, exit.get(TIMEOUT_S, TimeUnit.SECONDS).status());
    }

    /**
     * The shim's children as the kernel keeps them: a pid is held from start until the reaper reaps
     * its zombie, and may be given out again right after.
     */
    private static final class FakeProcessTable implements ShimSyscalls {
        private final Set<Integer> held = new HashSet<>();
        private final Map<Integer, Integer> zombies = new java.util.HashMap<>();
        private final LinkedBlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
        private int reapedCount;

        synchronized int run(int pid) {
            if (!held.add(pid)) {
                throw new IllegalStateException("pid " + pid + " is still held");
            }
            return pid;
        }

        void exit(int pid, int code) {
            synchronized (this) {
                zombies.put(pid, code << 8);
            }
            exited.add(pid);
        }

        synchronized void awaitReaped(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (reapedCount < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the reaper reaped " + reapedCount + " of " + count + " exits in " + TIMEOUT_S + " s");
                }
                wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }

        @Override
        public int awaitExitedChild() {
            try {
                return exited.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        @Override
        public synchronized int reapChild(int pid) {
            Integer status = zombies.remove(pid);
            if (status == null) {
                throw new IllegalStateException("pid " + pid + " has not exited");
            }
            held.remove(pid);
            reapedCount++;
            notifyAll();
            return status;
        }

        @Override
        public synchronized boolean exists(int pid) {
            return held.contains(pid);
        }

        @Override
        public int getpid() {
            return 1;
        }

        @Override
        public void setsid() {
            throw new UnsupportedOperationException("setsid");
        }

        @Override
        public int getsid() {
            throw new UnsupportedOperationException("getsid");
        }

        @Override
        public void becomeSubreaper() {
            throw new UnsupportedOperationException("becomeSubreaper");
        }

        @Override
        public int spawn(List<String> argv, Map<String, String> env, int[] stdio) {
            throw new UnsupportedOperationException("spawn");
        }

        @Override
        public void kill(int pid, int signal) {
            throw new UnsupportedOperationException("kill");
        }

        @Override
        public int open(String path, int flags, int mode) {
            throw new UnsupportedOperationException("open");
        }

        @Override
        public void close(int fd) {
            throw new UnsupportedOperationException("close");
        }

        @Override
        public int[] pipe() {
            throw new UnsupportedOperationException("pipe");
        }

        @Override
        public int memfd(String name) {
            throw new UnsupportedOperationException("memfd");
        }

        @Override
        public int read(int fd, byte[] buffer, int length) {
            throw new UnsupportedOperationException("read");
        }

        @Override
        public void write(int fd, byte[] buffer, int length) {
            throw new UnsupportedOperationException("write");
        }

        @Override
        public void setWindowSize(int fd, int rows, int columns) {
            throw new UnsupportedOperationException("setWindowSize");
        }

        @Override
        public void mount(String source, String target, String type, long flags, String data) {
            throw new UnsupportedOperationException("mount");
        }

        @Override
        public boolean unmountDetached(String target) {
            throw new UnsupportedOperationException("unmountDetached");
        }

        @Override
        public int listenUnix(String path) {
            throw new UnsupportedOperationException("listenUnix");
        }

        @Override
        public int receiveFd(int listeningFd) {
            throw new UnsupportedOperationException("receiveFd");
        }
    }
}
