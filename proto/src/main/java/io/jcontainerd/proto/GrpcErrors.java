package io.jcontainerd.proto;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where jcontainerd's error vocabulary meets gRPC status codes, both ways, as
 * containerd's errdefs/grpc.go does. Servers call {@link #toStatus(Throwable)} on whatever a
 * store threw; clients call {@link #fromStatus(Throwable)} to get a typed {@link JcdException}.
 *
 * <p>A handler that needs a code outside the vocabulary (Content.Write answers OUT_OF_RANGE for a
 * write at the wrong offset) throws {@link #outOfRange(String, Object...)}; any
 * {@link StatusRuntimeException} or {@link StatusException} passes through {@code toStatus}
 * unchanged, so that is the override.
 */
public final class GrpcErrors {

    private GrpcErrors() {}

    /** The status code an error kind travels as. */
    public static Status.Code codeOf(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case NOT_IMPLEMENTED -> Status.Code.UNIMPLEMENTED;
            case CANCELLED -> Status.Code.CANCELLED;
            case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
            case UNKNOWN -> Status.Code.UNKNOWN;
        };
    }

    /**
     * The error kind a status code means. Codes outside the vocabulary (OUT_OF_RANGE, DATA_LOSS,
     * INTERNAL, ...) are UNKNOWN, exactly as containerd's client treats them.
     */
    public static ErrorKind kindOf(Status.Code code) {
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

    /**
     * The status a server answers for {@code error}: a {@link JcdException} by its kind, a status
     * exception as it is, cancellation and timeouts as CANCELLED/DEADLINE_EXCEEDED, anything else
     * as UNKNOWN. The description is the exception's message (its class name if it has none).
     */
    public static StatusRuntimeException toStatus(Throwable error) {
        return switch (error) {
            case StatusRuntimeException sre -> sre;
            case StatusException se -> new StatusRuntimeException(se.getStatus(), se.getTrailers());
            case JcdException jcd -> status(codeOf(jcd.kind()), jcd);
            case CancellationException ce -> status(Status.Code.CANCELLED, ce);
            case TimeoutException te -> status(Status.Code.DEADLINE_EXCEEDED, te);
            default -> status(Status.Code.UNKNOWN, error);
        };
    }

    /** OUT_OF_RANGE, which has no error kind: Content.Read/Write offsets beyond what exists. */
    public static StatusRuntimeException outOfRange(String format, Object... args) {
        return Status.OUT_OF_RANGE.withDescription(String.format(format, args)).asRuntimeException();
    }

    /**
     * The typed error a client raises for a failed call. The message is the server's description
     * without a trailing {@code ": not found"}-style suffix for the same kind (containerd's
     * servers append one), so messages don't read "...: not found: not found" when re-wrapped.
     * Throwables that carry no gRPC status become UNKNOWN.
     */
    public static JcdException fromStatus(Throwable error) {
        Status status = switch (error) {
            case StatusRuntimeException sre -> sre.getStatus();
            case StatusException se -> se.getStatus();
            default -> Status.fromThrowable(error);
        };
        ErrorKind kind = kindOf(status.getCode());
        return JcdException.of(kind, describe(status, kind), error);
    }

    private static StatusRuntimeException status(Status.Code code, Throwable error) {
        return code.toStatus().withDescription(messageOf(error)).withCause(error).asRuntimeException();
    }

    private static String messageOf(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getName() : message;
    }

    private static String describe(Status status, ErrorKind kind) {
        String description = status.getDescription();
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
