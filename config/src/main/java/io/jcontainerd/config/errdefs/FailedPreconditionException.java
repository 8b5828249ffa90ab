package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#FAILED_PRECONDITION}. */
public final class FailedPreconditionException extends JcdException {
    public FailedPreconditionException(String message, Throwable cause) {
        super(ErrorKind.FAILED_PRECONDITION, message, cause);
    }
}
