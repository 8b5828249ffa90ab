package io.jcontainerd.proto;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The one table between jcontainerd's error kinds and the status codes of gRPC and ttrpc (the same
 * numbers: ttrpc answers with google.rpc.Status), both ways, as containerd's errdefs does.
 * {@link GrpcErrors} reads it for gRPC; the ttrpc client and server ({@code proto/ttrpc}) read it
 * without loading gRPC, which the shim does not carry.
 */
public final class StatusCodes {
    public static final int OK = 0;
    public static final int CANCELLED = 1;
    public static final int UNKNOWN = 2;
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int ALREADY_EXISTS = 6;
    public static final int FAILED_PRECONDITION = 9;
    public static final int UNIMPLEMENTED = 12;
    public static final int UNAVAILABLE = 14;

    private StatusCodes() {
    }

    /** The code an error kind travels as. */
    public static int codeOf(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> INVALID_ARGUMENT;
            case NOT_FOUND -> NOT_FOUND;
            case ALREADY_EXISTS -> ALREADY_EXISTS;
            case FAILED_PRECONDITION -> FAILED_PRECONDITION;
            case UNAVAILABLE -> UNAVAILABLE;
            case NOT_IMPLEMENTED -> UNIMPLEMENTED;
            case CANCELLED -> CANCELLED;
            case DEADLINE_EXCEEDED -> DEADLINE_EXCEEDED;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** The kind a code means; codes outside the vocabulary (OUT_OF_RANGE, INTERNAL, ...) are UNKNOWN, as containerd's client reads them. */
    public static ErrorKind kindOf(int code) {
        return switch (code) {
            case INVALID_ARGUMENT -> ErrorKind.INVALID_ARGUMENT;
            case NOT_FOUND -> ErrorKind.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorKind.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> ErrorKind.FAILED_PRECONDITION;
            case UNAVAILABLE -> ErrorKind.UNAVAILABLE;
            case UNIMPLEMENTED -> ErrorKind.NOT_IMPLEMENTED;
            case CANCELLED -> ErrorKind.CANCELLED;
            case DEADLINE_EXCEEDED -> ErrorKind.DEADLINE_EXCEEDED;
            default -> ErrorKind.UNKNOWN;
        };
    }

    /** The code a server answers for {@code error}: a {@link JcdException} by its kind, cancellation and timeouts as such, anything else UNKNOWN. */
    public static int codeOf(Throwable error) {
        return switch (error) {
            case JcdException jcd -> codeOf(jcd.kind());
            case CancellationException ce -> CANCELLED;
            case TimeoutException te -> DEADLINE_EXCEEDED;
            default -> UNKNOWN;
        };
    }

    /** The description a server answers for {@code error}: its message, or its class name if it has none. */
    public static String messageOf(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getName() : message;
    }

    /**
     * The typed error a client raises for an answer with {@code code}. The message is the server's
     * description without a trailing {@code ": not found"}-style suffix of the same kind (containerd's
     * servers append one), so that messages don't read "...: not found: not found" when wrapped again.
     */
    public static JcdException error(int code, String description, Throwable cause) {
        ErrorKind kind = kindOf(code);
        return JcdException.of(kind, describe(description, kind), cause);
    }

    private static String describe(String description, ErrorKind kind) {
        if (description == null || description.isBlank()) {
            return kind.words();
        }
        String suffix = ": " + kind.words();
        if (description.endsWith(suffix) && description.length() > suffix.length()) {
            return description.substring(0, description.length() - suffix.length());
        }
        return description;
    }
}
