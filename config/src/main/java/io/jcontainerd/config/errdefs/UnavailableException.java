package io.jcontainerd.config.errdefs;

/** {@link ErrorKind#UNAVAILABLE}. */
public final class UnavailableException extends JcdException {
    public UnavailableException(String message, Throwable cause) {
        super(ErrorKind.UNAVAILABLE, message, cause);
    }
}
