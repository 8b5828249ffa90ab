package io.jcontainerd.shim.task;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The tasks one shim runs. A shim starts with one (its {@code --id} and {@code --bundle}); the
 * supervisor may have it run more containers of the same namespace by calling Create with other
 * ids and their own bundles, which shares one JVM's memory among them (a group). The shim exits
 * when its last task is shut down.
 */
public final class TaskRegistry {
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final BiFunction<String, Path, Task> factory;
    private final Consumer<Task> joined;
    private final Consumer<Task> left;

    /**
     * @param factory makes the task for an id and bundle
     * @param joined  called when a task joins the group (its Create succeeded)
     * @param left    called when a task leaves (Shutdown)
     */
    public TaskRegistry(BiFunction<String, Path, Task> factory, Consumer<Task> joined, Consumer<Task> left) {
        this.factory = factory;
        this.joined = joined;
        this.left = left;
    }

    /** Registers the shim's own task (from its command line). */
    public synchronized Task add(String id, Path bundle) {
        Task task = factory.apply(id, bundle);
        tasks.put(id, task);
        return task;
    }

    public synchronized Task get(String id) {
        Task task = tasks.get(id);
        if (task == null) {
            throw JcdException.notFound("task %s not found in this shim (it runs %s)", id, String.join(", ", tasks.keySet()));
        }
        return task;
    }

    /**
     * The task Create should create: the registered one for a known id, else a new one joining
     * this shim's group, which needs its own absolute bundle.
     */
    public Task forCreate(String id, String bundle) {
        synchronized (this) {
            Task known = tasks.get(id);
            if (known != null) {
                return known;
            }
        }
        Identifiers.validate("container id", id);
        if (bundle.isEmpty() || !Path.of(bundle).isAbsolute()) {
            throw JcdException.invalidArgument("task %s joins this shim's group: its bundle must be given as an absolute path", id);
        }
        // Registered only once its Create succeeded (see created), so a failed one leaves no trace.
        return factory.apply(id, Path.of(bundle));
    }

    /** Called after a successful Create of a task. */
    public void created(Task task) {
        boolean joining;
        synchronized (this) {
            joining = tasks.putIfAbsent(task.id(), task) == null;
        }
        if (joining) {
            joined.accept(task);
        }
    }

    public void forget(Task task) {
        synchronized (this) {
            tasks.remove(task.id());
        }
        left.accept(task);
    }

    public synchronized boolean isEmpty() {
        return tasks.isEmpty();
    }

    public synchronized List<Task> all() {
        return new ArrayList<>(tasks.values());
    }
}
