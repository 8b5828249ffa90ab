package io.jcontainerd.shim.task;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The tasks one shim runs (a group): each with its own id, namespace and bundle. A shim starts
 * with one task (its {@code --id} and {@code --bundle}) or with none (the supervisor's spare); Create
 * adds the others. A task leaves when its init is deleted. The shim may exit once no task is left
 * and no Create is under way ({@link #closeIfIdle}); after that every Create is refused.
 */
public final class TaskRegistry {
    /** Makes the task for an id, its namespace and its bundle. */
    @FunctionalInterface
    public interface Factory {
        Task make(String namespace, String id, Path bundle);
    }

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Set<String> creating = new HashSet<>();
    private final Factory factory;
    private final Consumer<Task> joined;
    private final Consumer<Task> left;
    private Runnable onIdle = () -> { };
    private boolean closed;

    /**
     * @param joined called when a task joins the group (its Create succeeded)
     * @param left   called when a task leaves (its init was deleted, or Shutdown)
     */
    public TaskRegistry(Factory factory, Consumer<Task> joined, Consumer<Task> left) {
        this.factory = factory;
        this.joined = joined;
        this.left = left;
    }

    /** {@code action} runs each time the last task has left (not while a Create is under way). */
    public synchronized void onIdle(Runnable action) {
        onIdle = action;
    }

    /** Registers the shim's own task (from its command line). */
    public synchronized Task add(String namespace, String id, Path bundle) {
        Task task = factory.make(namespace, id, bundle);
        tasks.put(id, task);
        return task;
    }

    public synchronized Task get(String id) {
        Task task = tasks.get(id);
        if (task == null) {
            throw JcdException.notFound("task %s not found in this shim (it runs %s)", id,
                    tasks.isEmpty() ? "no task" : String.join(", ", tasks.keySet()));
        }
        return task;
    }

    /**
     * Runs {@code create} on the task Create is for: the registered one for a known id, else a new
     * one of {@code namespace} with its own absolute {@code bundle}, which joins only if
     * {@code create} succeeds (a failed one leaves no trace). While it runs the shim is not idle.
     */
    public <T> T create(String namespace, String id, String bundle, Function<Task, T> create) {
        Task task;
        synchronized (this) {
            if (closed) {
                throw JcdException.unavailable("task %s: this shim is exiting (it had no task left); create it with another shim", id);
            }
            if (!creating.add(id)) {
                throw JcdException.alreadyExists("task %s is being created in this shim already", id);
            }
            task = tasks.get(id);
        }
        try {
            if (task == null) {
                Identifiers.validate("container id", id);
                if (bundle.isEmpty() || !Path.of(bundle).isAbsolute()) {
                    throw JcdException.invalidArgument("task %s joins this shim's group: its bundle must be given as an absolute path", id);
                }
                task = factory.make(namespace, id, Path.of(bundle));
            } else if (!task.namespace().equals(namespace)) {
                throw JcdException.invalidArgument("task %s is in namespace %s, not %s", id, task.namespace(), namespace);
            }
            T result = create.apply(task);
            boolean joining;
            synchronized (this) {
                joining = tasks.putIfAbsent(id, task) == null;
            }
            if (joining) {
                joined.accept(task);
            }
            return result;
        } finally {
            synchronized (this) {
                creating.remove(id);
            }
        }
    }

    /** Removes {@code id} from the group; an id it does not hold is already gone. */
    public void forget(String id) {
        if (leave(id)) {
            runIdleAction();
        }
    }

    /**
     * Removes {@code id} from the group as {@link #forget} does, but leaves the idle action to the
     * caller: true when the last task has left, and the caller is to call {@link #runIdleAction()}
     * (the Delete of the last task runs it once its answer is sent: starting the spare init stage
     * then does not hold up the answer).
     */
    public boolean leave(String id) {
        Task task;
        synchronized (this) {
            task = tasks.remove(id);
        }
        if (task == null) {
            return false;
        }
        left.accept(task);
        synchronized (this) {
            return tasks.isEmpty() && creating.isEmpty() && !closed;
        }
    }

    /** Runs the idle action if no task is left and none is being created (nothing, if one came meanwhile). */
    public void runIdleAction() {
        Runnable idleAction;
        synchronized (this) {
            idleAction = tasks.isEmpty() && creating.isEmpty() && !closed ? onIdle : null;
        }
        if (idleAction != null) {
            idleAction.run();
        }
    }

    /**
     * True, and no Create is accepted any more, when no task is left and none is being created:
     * the shim may exit. False otherwise, and nothing changes.
     */
    public synchronized boolean closeIfIdle() {
        if (tasks.isEmpty() && creating.isEmpty()) {
            closed = true;
        }
        return closed;
    }

    /** True when the shim runs no task and none is being created (the spare, or a group whose tasks all left). */
    public synchronized boolean idle() {
        return tasks.isEmpty() && creating.isEmpty();
    }

    public synchronized List<Task> all() {
        return new ArrayList<>(tasks.values());
    }
}
