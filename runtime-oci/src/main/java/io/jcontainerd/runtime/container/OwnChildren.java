package io.jcontainerd.runtime.container;

import com.sun.jna.Native;
import io.jcontainerd.runtime.linux.LibC;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/** {@link Children} of a process that reaps nothing else: waitpid on the one pid. */
final class OwnChildren implements Children {
    static final OwnChildren INSTANCE = new OwnChildren();
    private static final int WNOHANG = 1, EINTR = 4;
    /** What runc reports when the status cannot be had (the child was not ours, or was reaped elsewhere). */
    private static final int UNKNOWN = 255;

    private OwnChildren() {}

    @Override
    public int spawn(IntSupplier spawn) {
        return spawn.getAsInt();
    }

    @Override
    public int await(int pid) {
        int[] status = new int[1];
        while (LibC.INSTANCE.waitpid(pid, status, 0) < 0) {
            if (Native.getLastError() != EINTR) return UNKNOWN;
        }
        return Children.exitCode(status[0]);
    }

    @Override
    public OptionalInt await(int pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] status = new int[1];
        while (true) {
            int rc = LibC.INSTANCE.waitpid(pid, status, WNOHANG);
            if (rc == pid) return OptionalInt.of(Children.exitCode(status[0]));
            if (rc < 0 && Native.getLastError() != EINTR) return OptionalInt.of(UNKNOWN);
            if (System.nanoTime() - deadline > 0) return OptionalInt.empty();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return OptionalInt.empty();
            }
        }
    }
}
