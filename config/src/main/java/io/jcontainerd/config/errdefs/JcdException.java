package io.jcontainerd.config.errdefs;

/**
 * The one exception family of jcontainerd. The message names the subject and says what to do;
 * the kind decides the gRPC status code. Create them through the static factories, e.g.
 * {@code JcdException.notFound("container %s in namespace %s", id, ns)}.
 */
public sealed class JcdException extends RuntimeException
        permits NotFoundException, AlreadyExistsException, InvalidArgumentException,
                FailedPreconditionException, UnavailableException, NotImplementedException,
                JcdException.Other {

    private final ErrorKind kind;

    protected JcdException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static NotFoundException notFound(String format, Object... args) {
        return new NotFoundException(String.format(format, args), null);
    }

    public static AlreadyExistsException alreadyExists(String format, Object... args) {
        return new AlreadyExistsException(String.format(format, args), null);
    }

    public static InvalidArgumentException invalidArgument(String format, Object... args) {
        return new InvalidArgumentException(String.format(format, args), null);
    }

    public static FailedPreconditionException failedPrecondition(String format, Object... args) {
        return new FailedPreconditionException(String.format(format, args), null);
    }

    public static UnavailableException unavailable(String format, Object... args) {
        return new UnavailableException(String.format(format, args), null);
    }

    public static NotImplementedException notImplemented(String format, Object... args) {
        return new NotImplementedException(String.format(format, args), null);
    }

    /** An error of any kind, e.g. one decoded from a gRPC status on the client side. */
    public static JcdException of(ErrorKind kind, String message, Throwable cause) {
        return switch (kind) {
            case NOT_FOUND -> new NotFoundException(message, cause);
            case ALREADY_EXISTS -> new AlreadyExistsException(message, cause);
            case INVALID_ARGUMENT -> new InvalidArgumentException(message, cause);
            case FAILED_PRECONDITION -> new FailedPreconditionException(message, cause);
            case UNAVAILABLE -> new UnavailableException(message, cause);
            case NOT_IMPLEMENTED -> new NotImplementedException(message, cause);
            default -> new Other(kind, message, cause);
        };
    }

    /** Kinds without a class of their own (cancelled, deadline exceeded, unknown). */
    public static final class Other extends JcdException {
        Other(ErrorKind kind, String message, Throwable cause) {
            super(kind, message, cause);
        }
    }
}
