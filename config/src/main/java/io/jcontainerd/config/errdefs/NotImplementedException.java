package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#NOT_IMPLEMENTED}. */
public final class NotImplementedException extends JcdException {
    public NotImplementedException(String message, Throwable cause) {
        super(ErrorKind.NOT_IMPLEMENTED, message, cause);
    }
}
