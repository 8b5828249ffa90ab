package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/** {@link Children} of a process that reaps nothing else: {@link Syscalls#waitpid} on the one pid. */
final class OwnChildren implements Children {
    static final OwnChildren INSTANCE = new OwnChildren(new JnaSyscalls());
    /** What runc reports when the status cannot be had (the child was not ours, or was reaped elsewhere). */
    private static final int UNKNOWN = 255;

    private final Syscalls sys;

    private OwnChildren(Syscalls sys) {
        this.sys = sys;
    }

    @Override
    public int spawn(IntSupplier spawn) {
        return spawn.getAsInt();
    }

    @Override
    public int await(int pid) {
        return status(pid, -1);
    }

    @Override
    public OptionalInt await(int pid, Duration timeout) {
        int status = status(pid, timeout.toMillis());
        return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The child's status, -1 if it still runs after {@code timeoutMillis} (negative: wait as long as it takes). */
    private int status(int pid, long timeoutMillis) {
        try {
            return sys.waitpid(pid, timeoutMillis);
        } catch (SyscallException e) {
            return UNKNOWN;
        }
    }
}
