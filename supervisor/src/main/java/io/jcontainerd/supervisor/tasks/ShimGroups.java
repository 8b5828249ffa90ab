package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.config.DaemonConfig.ShimGroup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Which shim runs which task. The tasks of one group share one shim process (one JVM's memory for
 * all of them); a group is a namespace by default, a container with {@link ShimGroup#CONTAINER},
 * and whatever a container's {@value #GROUP_LABEL} label names when it has one (as containerd's
 * runc v2 shim groups). A group's first task gets the spare shim; when its last task leaves and no
 * create is under way, the group ends and its shim becomes the spare or exits (see {@link SpareShims}
 * for when a spare is kept). One monitor checks
 * every group's shim; when one dies, the group ends and {@code died} is told (perhaps more than once:
 * a failed call checks too, and must find the clean-up done when it returns).
 *
 * <p>Every {@link #join} must be followed by {@link #created} or {@link #failed}; each created
 * task by {@link #left}. The counts are kept under one lock, so a create never lands in a shim
 * that is being retired.
 */
final class ShimGroups implements AutoCloseable {
    static final String GROUP_LABEL = "io.containerd.runc.v2.group";
    private static final Logger LOG = Logger.getLogger(ShimGroups.class.getName());
    private static final long CHECK_MS = 500;

    private final SpareShims spares;
    private final Consumer<Shim> died;
    private final Map<String, Group> groups = new HashMap<>();
    private Thread monitor;

    private static final class Group {
        final String key;
        final CompletableFuture<Shim> shim = new CompletableFuture<>();
        final Set<String> tasks = new HashSet<>();
        int joining;
        boolean started;

        Group(String key) {
            this.key = key;
        }

        /** The group's shim once it has one, else null. */
        Shim ready() {
            return shim.isDone() && !shim.isCompletedExceptionally() ? shim.join() : null;
        }
    }

    /** @param died told about each group shim found dead (idempotent); its tasks are the caller's to clean up */
    ShimGroups(SpareShims spares, Consumer<Shim> died) {
        this.spares = spares;
        this.died = died;
    }

    /** The group of container {@code id} of namespace {@code ns} with {@code labels}. */
    static String keyOf(ShimGroup policy, String ns, String id, Map<String, String> labels) {
        String label = labels.get(GROUP_LABEL);
        if (label != null && !label.isEmpty()) {
            return ns + "/label/" + label;
        }
        return switch (policy) {
            case NAMESPACE -> ns;
            case CONTAINER -> ns + "/container/" + id;
        };
    }

    /** The shim a new task of group {@code key} is to be created in: the group's, or the spare for a new group. */
    Shim join(String key) {
        Group group;
        boolean first;
        Shim dead = null;
        synchronized (this) {
            group = groups.get(key);
            if (group != null && group.ready() != null && !group.ready().alive()) {
                dead = group.ready();
                groups.remove(key);
                group = null;
            }
            if (group == null) {
                group = new Group(key);
                groups.put(key, group);
            }
            group.joining++;
            first = !group.started;
            group.started = true;
        }
        if (dead != null) {
            reportDeath(dead);
        }
        if (first) {
            try {
                Shim shim = spares.take();
                group.shim.complete(shim);
                LOG.info(() -> "group " + key + " runs in " + shim);
            } catch (RuntimeException e) {
                group.shim.completeExceptionally(e);
            }
            startMonitor();
        }
        try {
            return group.shim.join();
        } catch (CompletionException e) {
            boolean ended = false;
            synchronized (this) {
                group.joining--;
                if (group.joining == 0 && groups.get(key) == group) {
                    groups.remove(key);
                    ended = true;
                }
            }
            if (ended) {
                spares.groupsEnded();
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Task {@code task} was created in {@code shim}, which {@link #join} gave. */
    void created(Shim shim, String task) {
        synchronized (this) {
            Group group = groupOf(shim);
            if (group != null) {
                group.joining--;
                group.tasks.add(task);
            }
        }
    }

    /** A create in {@code shim}, which {@link #join} gave, failed. */
    void failed(Shim shim) {
        leave(shim, null);
    }

    /** Task {@code task} left {@code shim} (it was deleted). */
    void left(Shim shim, String task) {
        leave(shim, task);
    }

    private void leave(Shim shim, String task) {
        Group ended = null;
        synchronized (this) {
            Group group = groupOf(shim);
            if (group == null) {
                return;
            }
            if (task == null) {
                group.joining--;
            } else {
                group.tasks.remove(task);
            }
            if (group.tasks.isEmpty() && group.joining == 0) {
                groups.remove(group.key);
                ended = group;
            }
        }
        if (ended != null) {
            String key = ended.key;
            if (spares.offer(shim)) {
                LOG.info(() -> "group " + key + " has no task left; " + shim + " is the spare now");
            } else {
                LOG.info(() -> "group " + key + " has no task left; " + shim + " exits");
                shim.retire();
                spares.groupsEnded();
            }
        }
    }

    /** Registers a shim found running after a restart, with the tasks it runs. */
    synchronized void adopt(String key, Shim shim, Collection<String> tasks) {
        String unique = groups.containsKey(key) ? key + "#" + shim.name() : key;
        Group group = new Group(unique);
        group.shim.complete(shim);
        group.started = true;
        group.tasks.addAll(tasks);
        groups.put(unique, group);
        startMonitor();
    }

    /** Checks {@code shim} now (a call to it failed): if it is dead, its group ends and {@code died} is told before this returns. */
    void check(Shim shim) {
        if (!shim.alive()) {
            synchronized (this) {
                Group group = groupOf(shim);
                if (group != null) {
                    groups.remove(group.key);
                }
            }
            died.accept(shim);
            spares.groupsEnded();
        }
    }

    /** Whether any group has a shim or is getting one. */
    synchronized boolean running() {
        return !groups.isEmpty();
    }

    /** The shims of every group, for the daemon's stop. */
    synchronized List<Shim> shims() {
        return groups.values().stream().map(Group::ready).filter(s -> s != null).toList();
    }

    private Group groupOf(Shim shim) {
        for (Group group : groups.values()) {
            if (group.ready() == shim) {
                return group;
            }
        }
        return null;
    }

    private synchronized void startMonitor() {
        if (monitor == null) {
            monitor = Thread.ofVirtual().name("shim-monitor").start(this::monitor);
        }
    }

    private void monitor() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(CHECK_MS);
            } catch (InterruptedException e) {
                return;
            }
            List<Shim> dead = new ArrayList<>();
            synchronized (this) {
                for (var it = groups.values().iterator(); it.hasNext(); ) {
                    Shim shim = it.next().ready();
                    if (shim != null && !shim.alive()) {
                        dead.add(shim);
                        it.remove();
                    }
                }
            }
            dead.forEach(this::reportDeath);
            if (!dead.isEmpty()) {
                spares.groupsEnded();
            }
        }
    }

    private void reportDeath(Shim shim) {
        try {
            died.accept(shim);
        } catch (RuntimeException e) {
            LOG.warning(() -> "cleaning up after the death of " + shim + ": " + e);
        }
    }

    /** Stops watching; the group shims run on with their containers, the spare stops. */
    @Override
    public void close() {
        Thread m;
        synchronized (this) {
            m = monitor;
        }
        if (m != null) {
            m.interrupt();
        }
        shims().forEach(Shim::disconnect);
        spares.close();
    }
}
