package io.jcontainerd.shim;

import io.jcontainerd.config.UnixSockets;
import io.jcontainerd.shim.task.TaskRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Ends a shim that runs no task (the supervisor's spare, or a group whose tasks all left) once no
 * supervisor will give it one: when its own socket was removed (how a supervisor that no longer
 * wants it, or one that restarted, tells it) or when the supervisor's events socket (its ttrpc socket,
 * which lives as long as the supervisor serves) has not answered for {@link #GONE}. A shim with tasks is never ended here: its containers outlive the supervisor.
 */
final class IdleExit {
    static final Duration CHECK = Duration.ofSeconds(1);
    static final Duration GONE = Duration.ofSeconds(10);

    private IdleExit() {
    }

    static Thread start(Path daemonEvents, Path socket, TaskRegistry tasks, Runnable exit) {
        return Thread.ofVirtual().name("idle-exit").start(() -> {
            long lastAnswer = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(CHECK);
                } catch (InterruptedException e) {
                    return;
                }
                if (!tasks.idle()) {
                    lastAnswer = System.nanoTime();
                    continue;
                }
                String why = null;
                if (!Files.exists(socket)) {
                    why = "its socket " + socket + " was removed";
                } else if (UnixSockets.answers(daemonEvents)) {
                    lastAnswer = System.nanoTime();
                } else if (System.nanoTime() - lastAnswer > GONE.toNanos()) {
                    why = "the supervisor's events socket " + daemonEvents + " has not answered for " + GONE.toSeconds() + " s";
                }
                if (why != null && tasks.closeIfIdle()) {
                    System.err.println("jcontainerd-shim: exiting with no task to run: " + why);
                    exit.run();
                    return;
                }
            }
        });
    }
}
