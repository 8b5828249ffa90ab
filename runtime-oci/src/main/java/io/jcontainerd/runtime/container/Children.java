package io.jcontainerd.runtime.container;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/**
 * Who starts and reaps the processes jrunc creates (init stages, hooks). The jrunc command waits for
 * its own children ({@link #own()}); a process that embeds the library and already reaps every child
 * itself (a subreaper calling waitpid(-1), like the shim) supplies its own, so that each exit is
 * collected exactly once and nobody waits for a status another thread took.
 */
public interface Children {

    /** Runs {@code spawn}, which starts one child and returns its pid, and returns that pid. */
    int spawn(IntSupplier spawn);

    /** Blocks until the child exits; returns its status: the exit code, or 128 + the signal that killed it. */
    int await(int pid);

    /** Like {@link #await(int)}, but empty when the child still runs after {@code timeout}. */
    OptionalInt await(int pid, Duration timeout);

    /** The jrunc command's: waitpid on each child. */
    static Children own() {
        return OwnChildren.INSTANCE;
    }
}
