package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#INVALID_ARGUMENT}. */
public final class InvalidArgumentException extends JcdException {
    public InvalidArgumentException(String message, Throwable cause) {
        super(ErrorKind.INVALID_ARGUMENT, message, cause);
    }
}
