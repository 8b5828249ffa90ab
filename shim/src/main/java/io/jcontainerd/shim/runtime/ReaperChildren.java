package io.jcontainerd.shim.runtime;

import io.jcontainerd.runtime.container.Children;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.Reaper;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The children jrunc's library starts inside the shim (init stages, hooks), started and reaped
 * through the shim's one {@link Reaper}: the library never calls waitpid itself, so no exit is
 * collected twice or lost.
 */
final class ReaperChildren implements Children {
    /** What runc reports when a status cannot be had. */
    private static final int UNKNOWN = 255;

    private final Reaper reaper;

    ReaperChildren(Reaper reaper) {
        this.reaper = reaper;
    }

    @Override
    public int spawn(IntSupplier spawn) {
        return reaper.spawned(spawn);
    }

    @Override
    public int await(int pid) {
        try {
            return exit(pid).get().status();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        } catch (ExecutionException e) {
            return UNKNOWN;
        }
    }

    @Override
    public OptionalInt await(int pid, Duration timeout) {
        try {
            return OptionalInt.of(exit(pid).get(timeout.toMillis(), TimeUnit.MILLISECONDS).status());
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            return OptionalInt.of(UNKNOWN);
        }
    }

    /** The Reaper drops a stale exit of the pid when the child is spawned, so any exit it has is this child's. */
    private CompletableFuture<ExitStatus> exit(int pid) {
        return reaper.exitOf(pid, Reaper.ANY_EXIT);
    }
}
