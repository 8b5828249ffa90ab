package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#ALREADY_EXISTS}. */
public final class AlreadyExistsException extends JcdException {
    public AlreadyExistsException(String message, Throwable cause) {
        super(ErrorKind.ALREADY_EXISTS, message, cause);
    }
}
