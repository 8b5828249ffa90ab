package io.jcontainerd.ctr.run;

/** A failure of {@code run} or {@code tasks} that the user can fix; its message says how. */
public final class RunException extends RuntimeException {
    public RunException(String message) {
        super(message);
    }
}
