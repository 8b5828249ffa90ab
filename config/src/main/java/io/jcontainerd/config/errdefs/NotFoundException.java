package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#NOT_FOUND}. */
public final class NotFoundException extends JcdException {
    public NotFoundException(String message, Throwable cause) {
        super(ErrorKind.NOT_FOUND, message, cause);
    }
}
