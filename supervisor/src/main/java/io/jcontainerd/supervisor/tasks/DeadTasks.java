package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.snapshot.mount.Mounter;
import io.jcontainerd.supervisor.events.EventExchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * What the supervisor does for the tasks of a shim that died without deleting them: kill each
 * container and remove its runtime state, cgroup and mounts (through the runtime, as the shim
 * would have: {@link DeadShimCleanup}), report it STOPPED and publish the exit nobody else will.
 *
 * <p>The clean-up runs on a few threads of its own, never on the caller's: a call that finds a
 * shim dead (an RPC's thread, the shim monitor, the daemon's start) schedules it and returns, so a
 * runtime that hangs for the clean-up's whole timeout holds up no RPC.
 */
final class DeadTasks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeadTasks.class.getName());
    /** How many tasks' runtimes clean up at once (each is a process) after a group shim died. */
    static final int AT_ONCE = 4;

    private final EventExchange events;
    private final Path defaultRuntime;
    private final DeadShimCleanup cleanup;
    private final ExecutorService cleaners = Executors.newFixedThreadPool(AT_ONCE,
            Thread.ofPlatform().name("dead-task-cleanup-", 0).daemon().factory());

    DeadTasks(EventExchange events, Path defaultRuntime) {
        this(events, defaultRuntime, new DeadShimCleanup(Mounter.linux(), Duration.ofSeconds(30)));
    }

    DeadTasks(EventExchange events, Path defaultRuntime, DeadShimCleanup cleanup) {
        this.events = events;
        this.defaultRuntime = defaultRuntime;
        this.cleanup = cleanup;
    }

    /** Schedules the clean-up after each of {@code lost} (once per task) and returns at once. */
    List<CompletableFuture<Exit>> cleanUp(List<TaskEntry> lost, String reason) {
        return lost.stream().map(t -> cleanUp(t, reason)).toList();
    }

    /**
     * Schedules the clean-up after {@code t} unless it is scheduled or done already; the future
     * completes with the exit the task ends with once its container is killed and cleaned up.
     */
    CompletableFuture<Exit> cleanUp(TaskEntry t, String reason) {
        synchronized (t.deathLock) {
            if (t.cleanup == null) {
                t.cleanup = t.deadExit != null
                        ? CompletableFuture.completedFuture(t.deadExit)
                        : CompletableFuture.supplyAsync(() -> run(t, reason), cleaners);
            }
            return t.cleanup;
        }
    }

    /** Stops taking clean-ups; one that runs goes on (its thread is a daemon) and is done again at the next start. */
    @Override
    public void close() {
        cleaners.shutdown();
    }

    private Exit run(TaskEntry t, String reason) {
        Path runtime = defaultRuntime;
        try {
            runtime = Path.of(Files.readString(t.bundle().resolve(TaskManager.RUNTIME_FILE)).strip());
        } catch (IOException e) {
            LOG.fine(() -> "no " + TaskManager.RUNTIME_FILE + " in " + t.bundle() + "; cleaning up with " + defaultRuntime);
        }
        Exit exit;
        try {
            var status = cleanup.cleanup(runtime, Path.of("/run/jrunc", t.ns()), t.id(), t.bundle());
            exit = new Exit(status.pid(), status.status(), status.exitedAt());
        } catch (RuntimeException e) {
            LOG.warning(() -> "namespace=" + t.ns() + " task=" + t.id() + ": cleaning up after its dead shim: " + e.getMessage());
            exit = new Exit(0, DeadShimCleanup.KILLED, Instant.now());
        }
        t.deadExit = exit;
        Exit e = exit;
        LOG.warning(() -> "namespace=" + t.ns() + " task=" + t.id() + ": " + reason + "; the container was killed and "
                + "cleaned up, task reported stopped with exit status " + e.status());
        TaskExit.Builder ev = TaskExit.newBuilder().setContainerId(t.id()).setId(t.id()).setPid(e.pid()).setExitStatus(e.status());
        Timestamps.setIfKnown(e.at(), ev::setExitedAt);
        events.publish(t.ns(), "/tasks/exit", ev.build());
        return exit;
    }
}
