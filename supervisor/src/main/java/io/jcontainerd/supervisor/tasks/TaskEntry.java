package io.jcontainerd.supervisor.tasks;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One task as the supervisor keeps it: its bundle and the shim it runs in (null when only its
 * recorded exit is left). When the shim died without deleting the task, {@code cleanup} is its
 * clean-up (scheduled once, under {@code deathLock}) and {@code deadExit} is set when it is done.
 */
final class TaskEntry {
    private final String ns;
    private final String id;
    private final Path bundle;
    private final Shim shim;
    final Object deathLock = new Object();
    volatile Exit deadExit;
    volatile CompletableFuture<Exit> cleanup;

    TaskEntry(String ns, String id, Path bundle, Shim shim) {
        this.ns = ns;
        this.id = id;
        this.bundle = bundle;
        this.shim = shim;
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
