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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * What the supervisor does for the tasks of a shim that died without deleting them: kill each
 * container and remove its runtime state, cgroup and mounts (through the runtime, as the shim
 * would have: {@link DeadShimCleanup}), report it STOPPED and publish the exit nobody else will.
 */
final class DeadTasks {
    private static final Logger LOG = Logger.getLogger(DeadTasks.class.getName());
    /** How many tasks' runtimes clean up at once (each is a process) after a group shim died. */
    private static final int AT_ONCE = 4;

    private final EventExchange events;
    private final Path defaultRuntime;
    private final Semaphore slots = new Semaphore(AT_ONCE);
    private final DeadShimCleanup cleanup = new DeadShimCleanup(Mounter.linux(), Duration.ofSeconds(30));

    DeadTasks(EventExchange events, Path defaultRuntime) {
        this.events = events;
        this.defaultRuntime = defaultRuntime;
    }

    /** Cleans up after {@code lost}, a few at a time, and returns once every one is (or was already). */
    void cleanUp(List<TaskEntry> lost, String reason) {
        List<Thread> running = new ArrayList<>();
        for (TaskEntry t : lost) {
            running.add(Thread.ofVirtual().name("dead-task-" + t.id()).start(() -> {
                slots.acquireUninterruptibly();
                try {
                    cleanUp(t, reason);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread thread : running) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void cleanUp(TaskEntry t, String reason) {
        synchronized (t.deathLock) {
            if (t.deadExit != null) {
                return;
            }
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
        }
    }
}
