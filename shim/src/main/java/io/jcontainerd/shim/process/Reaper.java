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
 * <p>Nothing else in the shim may wait for children; in particular the shim starts processes only
 * through {@link #spawn} or {@link #spawned}, never with {@link ProcessBuilder}, whose own reaper
 * would race this one. The in-process runtime's waits come here too (runtime.ReaperChildren).
 */
public final class Reaper {
    private static final int KEPT_UNCLAIMED_EXITS = 1024;

    private final ShimSyscalls sys;
    private final Object lock = new Object();
    private final Map<Integer, CompletableFuture<ExitStatus>> waiting = new HashMap<>();
    private final Map<Integer, ExitStatus> unclaimed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, ExitStatus> eldest) {
            return size() > KEPT_UNCLAIMED_EXITS;
        }
    };
    private long spawned;

    public Reaper(ShimSyscalls sys) {
        this.sys = sys;
    }

    /** Starts the reaping thread (a daemon platform thread: it blocks in native waitpid). */
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
     * Completes when {@code pid}, a child of the shim, has exited (at once if it already has).
     * An exit recorded before {@code notBefore} belonged to an earlier process with the same pid.
     */
    public CompletableFuture<ExitStatus> exitOf(int pid, Instant notBefore) {
        synchronized (lock) {
            ExitStatus done = unclaimed.remove(pid);
            if (done != null && !done.exitedAt().isBefore(notBefore)) {
                return CompletableFuture.completedFuture(done);
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
            int[] child = sys.waitAnyChild();
            if (child == null) {
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
            ExitStatus exit = ExitStatus.fromWaitStatus(child[0], child[1], Instant.now());
            CompletableFuture<ExitStatus> future;
            synchronized (lock) {
                future = waiting.remove(exit.pid());
                if (future == null) {
                    unclaimed.put(exit.pid(), exit);
                }
            }
            if (future != null) {
                future.complete(exit);
            }
        }
    }
}
