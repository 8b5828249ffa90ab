package io.jcontainerd.supervisor.tasks;

import java.nio.file.Path;

/**
 * One task as the supervisor keeps it: its bundle and the shim it runs in (null when only its
 * recorded exit is left). {@code deadExit} is set when the shim died without deleting the task;
 * {@code deathLock} makes that clean-up run once.
 */
final class TaskEntry {
    private final String ns;
    private final String id;
    private final Path bundle;
    private final Shim shim;
    final Object deathLock = new Object();
    volatile Exit deadExit;

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
}
