package io.jcontainerd.supervisor.tasks;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One task as the supervisor keeps it: its bundle and the shim it runs in (null when only its
 * recorded exit is left). When the shim died without deleting the task, {@code cleanup} is its
 * clean-up (scheduled once, under {@code deathLock}) and {@code deadExit} is set when it is done.
 *
 * <p>A task this daemon created also keeps its init as created ({@link CreatedInit}) and, once the
 * shim has answered a Wait for it, the init's exit: a stopped init stays stopped until the task is
 * deleted, so its state is then known without asking the shim ({@link #stoppedInit}).
 */
final class TaskEntry {
    private final String ns;
    private final String id;
    private final Path bundle;
    private final Shim shim;
    private final CreatedInit init;
    private volatile Exit initExit;
    final Object deathLock = new Object();
    volatile Exit deadExit;
    volatile CompletableFuture<Exit> cleanup;

    /** The init process as Create set it up: its pid and the stdio the client asked for, as the shim reports them. */
    record CreatedInit(int pid, String stdin, String stdout, String stderr, boolean terminal) {
    }

    /** A task found at start-up: its init is known only to its shim. */
    TaskEntry(String ns, String id, Path bundle, Shim shim) {
        this(ns, id, bundle, shim, null);
    }

    TaskEntry(String ns, String id, Path bundle, Shim shim, CreatedInit init) {
        this.ns = ns;
        this.id = id;
        this.bundle = bundle;
        this.shim = shim;
        this.init = init;
    }

    /** The shim answered a Wait for the init with {@code exit}: the init has exited. */
    void initExited(Exit exit) {
        if (exit.at() != null) {
            initExit = exit;
        }
    }

    /** The init's state once its exit is known (STOPPED, as the shim reports it until the task is deleted), else null. */
    ProcessState stoppedInit() {
        Exit exit = initExit;
        if (exit == null || init == null) {
            return null;
        }
        return stopped(id, init.pid(), init, exit);
    }

    /**
     * A process of this task once the clean-up after its dead shim killed it: STOPPED with {@code dead}. The init keeps
     * the stdio Create set up when this daemon created it, as its shim reported them: a client finds its FIFOs through
     * them and removes them after the delete (ctr's {@code tasks rm} does); without them they stay behind.
     */
    ProcessState killedAfterShimDied(String execId, Exit dead) {
        if (execId.isEmpty() && init != null) {
            return stopped(id, dead.pid(), init, dead);
        }
        return new ProcessState(execId.isEmpty() ? id : execId, dead.pid(), ProcessState.Status.STOPPED, "", "", "", false,
                dead.status(), dead.at());
    }

    private static ProcessState stopped(String processId, int pid, CreatedInit io, Exit exit) {
        return new ProcessState(processId, pid, ProcessState.Status.STOPPED, io.stdin(), io.stdout(), io.stderr(), io.terminal(),
                exit.status(), exit.at());
    }

    String ns() {
        return ns;
    }

    String id() {
        return id;
    }

    Path bundle() {
        return bundle;
    }

    Shim shim() {
        return shim;
    }

    /** True while the clean-up after its dead shim runs: the container is being killed. */
    boolean dying() {
        return cleanup != null && deadExit == null;
    }
}
