package io.jcontainerd.supervisor.containers;

import java.time.Duration;
import java.util.List;

/** The threads that copy a container process's output FIFOs (the Docker facade's and the CRI's stdio). */
public final class OutputPumps {
    private OutputPumps() {
    }

    /** Waits until every pump has reached EOF and ended, at most {@code timeout} in all; false if one has not. */
    public static boolean awaitEnd(List<Thread> pumps, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : pumps) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
