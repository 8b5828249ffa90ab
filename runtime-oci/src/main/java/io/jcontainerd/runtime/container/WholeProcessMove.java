package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.cgroups.CgroupManager;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The init stage's move into the hierarchies that take whole processes only ({@link CgroupManager#adopt}: a
 * hybrid host's unified one), run on a platform thread of its own. Such a move takes the kernel's
 * threadgroup lock, which waits for an RCU grace period (5-20 ms here) while it holds cgroup_mutex, and
 * every other cgroup write waits for that mutex: also the init's own joins of the v1 hierarchies
 * (its exec thread writing "0" into each {@code tasks} file). So a booted init (a spare, a follower) is
 * moved once it has joined those ({@link #start} on its "cgroups" line), a fresh one while its JVM boots.
 */
final class WholeProcessMove {
    private final CgroupManager cgroup;
    private final int pid;
    private CompletableFuture<Void> running;

    WholeProcessMove(CgroupManager cgroup, int pid) {
        this.cgroup = cgroup;
        this.pid = pid;
    }

    /** Starts the move unless it has started. */
    void start() {
        if (running == null) {
            running = CompletableFuture.runAsync(() -> cgroup.adopt(pid),
                    r -> Thread.ofPlatform().name("jrunc-adopt-" + pid).daemon().start(r));
        }
    }

    /** Starts the move unless it has started, and waits for it; its error is thrown as it was. */
    void await() {
        start();
        try {
            running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Waits for a move that started, whatever its outcome (a failed create, before its cgroup goes). */
    void settle() {
        if (running != null) running.handle((ok, failed) -> null).join();
    }
}
