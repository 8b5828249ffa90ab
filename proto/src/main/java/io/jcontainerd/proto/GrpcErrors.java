package io.jcontainerd.proto;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

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

    /** The status code an error kind travels as ({@link StatusCodes}' table). */
    public static Status.Code codeOf(ErrorKind kind) {
        return Status.fromCodeValue(StatusCodes.codeOf(kind)).getCode();
    }

    /**
     * The error kind a status code means. Codes outside the vocabulary (OUT_OF_RANGE, DATA_LOSS,
     * INTERNAL, ...) are UNKNOWN, exactly as containerd's client treats them.
     */
    public static ErrorKind kindOf(Status.Code code) {
        return StatusCodes.kindOf(code.value());
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
            default -> Status.fromCodeValue(StatusCodes.codeOf(error)).withDescription(StatusCodes.messageOf(error))
                    .withCause(error).asRuntimeException();
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
        return StatusCodes.error(status.getCode().value(), status.getDescription(), error);
    }
}
