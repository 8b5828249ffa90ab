package io.jcontainerd.shim.process;

import io.jcontainerd.shim.linux.ShimSyscalls;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * The shim's only waitpid caller. As subreaper the shim inherits the container's init and exec
 * processes (and anything else orphaned below it), so one thread reaps every child and hands each
 * exit to whoever asked for that pid. Exits nobody asked for yet are kept for a while: a process
 * can die before the runtime has even told us its pid.
 *
 * <p>A pid can be reused once its process is reaped, so an exit is matched to a process by pid and
 * by a sequence number, never by the wall clock: every reaped exit gets the next number, a caller
 * takes {@link #mark()} before it starts a process, and an exit numbered at or before the mark
 * belonged to an earlier process. An exit reaped after the mark but before the new process took the
 * pid is told apart because reaping and recording happen together under the lock (the exited child
 * is found with WNOWAIT, so its zombie holds the pid until then): while the asked-for pid is held
 * by a process, the exit on record is an earlier one's.
 *
 * <p>Nothing else in the shim may wait for children; in particular the shim starts processes only
 * through {@link #spawn} or {@link #spawned}, never with {@link ProcessBuilder}, whose own reaper
 * would race this one. The in-process runtime's waits come here too (runtime.ReaperChildren).
 */
public final class Reaper {
    /** The mark before any exit: every exit is later. */
    public static final long ANY_EXIT = 0;
    private static final int KEPT_UNCLAIMED_EXITS = 1024;

    private record Reaped(ExitStatus exit, long sequence) {
    }

    private final ShimSyscalls sys;
    private final Object lock = new Object();
    private final Map<Integer, CompletableFuture<ExitStatus>> waiting = new HashMap<>();
    private final Map<Integer, Reaped> unclaimed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Reaped> eldest) {
            return size() > KEPT_UNCLAIMED_EXITS;
        }
    };
    private long spawned;
    private long reaped;

    public Reaper(ShimSyscalls sys) {
        this.sys = sys;
    }

    /** Starts the reaping thread (a daemon platform thread: it blocks in native waitid). */
    public Reaper start() {
        Thread.ofPlatform().name("reaper").daemon().stackSize(256 * 1024).start(this::loop);
        return this;
    }

    /** Starts a child (see {@link ShimSyscalls#spawn}) and returns its pid. */
    public int spawn(List<String> argv, Map<String, String> env, int[] stdio) {
        return spawned(() -> sys.spawn(argv, env, stdio));
    }

    /**
     * Runs {@code spawn}, which starts one child of the shim in any way (the in-process runtime's
     * init stages and hooks) and returns its pid. Every child must start through here: the reaping
     * thread sleeps while the shim has no children and wakes up when one is started.
     */
    public int spawned(IntSupplier spawn) {
        synchronized (lock) {
            // Under the lock so that a stale exit of an earlier process with the same pid can be
            // dropped before the reaper can record this one's.
            int pid = spawn.getAsInt();
            unclaimed.remove(pid);
            spawned++;
            lock.notifyAll();
            return pid;
        }
    }

    /**
     * The sequence number of the latest exit reaped so far. Taken before a process is started, it
     * tells that process's exit from the exits of earlier processes that had the same pid.
     */
    public long mark() {
        synchronized (lock) {
            return reaped;
        }
    }

    /**
     * Completes when {@code pid}, a child of the shim started after {@code mark} was taken, has
     * exited (at once if it already has). An exit numbered at or before {@code mark}, or one on
     * record while a process still holds the pid, belonged to an earlier process with the same pid.
     */
    public CompletableFuture<ExitStatus> exitOf(int pid, long mark) {
        synchronized (lock) {
            Reaped done = unclaimed.get(pid);
            if (done != null && done.sequence() > mark && !sys.exists(pid)) {
                unclaimed.remove(pid);
                return CompletableFuture.completedFuture(done.exit());
            }
            if (done != null) {
                unclaimed.remove(pid);
            }
            return waiting.computeIfAbsent(pid, p -> new CompletableFuture<>());
        }
    }

    private void loop() {
        while (true) {
            long seen;
            synchronized (lock) {
                seen = spawned;
            }
            int pid = sys.awaitExitedChild();
            if (pid == 0) {
                synchronized (lock) {
                    while (spawned == seen) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                continue;
            }
            CompletableFuture<ExitStatus> future;
            ExitStatus exit;
            synchronized (lock) {
                // Reaped and recorded together: until this point the zombie holds the pid, so a
                // caller of exitOf that finds the pid free knows the latest exit on record is its own.
                exit = ExitStatus.fromWaitStatus(pid, sys.reapChild(pid), Instant.now());
                reaped++;
                future = waiting.remove(pid);
                if (future == null) {
                    unclaimed.put(pid, new Reaped(exit, reaped));
                }
            }
            if (future != null) {
                future.complete(exit);
            }
        }
    }
}
