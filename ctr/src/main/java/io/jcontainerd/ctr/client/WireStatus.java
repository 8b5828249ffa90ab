package io.jcontainerd.ctr.client;

import io.grpc.Status;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a gRPC call ended, as the wire says it (the code's number, the description), and the rules that read it from
 * HTTP/2 header blocks, resets and message frames: one vocabulary for {@link GrpcCall} and {@link UnaryCall}.
 * io.grpc's {@code Status} is made only when a caller asks ({@link #toStatus}): its initialiser builds gRPC
 * {@code Metadata} keys, whose logger starts java.util.logging (its service lookup opens the jar), which the
 * commands users time never need on success (README "Performance", session 12).
 */
record WireStatus(int code, String description, Throwable cause) {
    static final int OK = 0, CANCELLED = 1, UNKNOWN = 2, DEADLINE_EXCEEDED = 4, PERMISSION_DENIED = 7,
            RESOURCE_EXHAUSTED = 8, UNIMPLEMENTED = 12, INTERNAL = 13, UNAVAILABLE = 14, UNAUTHENTICATED = 16;

    static WireStatus of(int code, String description) {
        return new WireStatus(code, description, null);
    }

    WireStatus withCause(Throwable t) {
        return new WireStatus(code, description, t);
    }

    boolean isOk() {
        return code == OK;
    }

    /** As grpc-java's Status: the code (UNKNOWN for a number it does not know), the description, the cause. */
    Status toStatus() {
        Status s = Status.fromCodeValue(code);
        if (description != null) {
            s = s.withDescription(description);
        }
        return cause == null ? s : s.withCause(cause);
    }

    /** Why the response headers are not a gRPC answer, or null when they are. */
    static WireStatus ofResponseHeaders(List<Hpack.Field> fields) {
        String httpStatus = value(fields, ":status");
        if ("200".equals(httpStatus)) {
            String type = value(fields, "content-type");
            if (type == null || !type.startsWith("application/grpc")) {
                return of(UNKNOWN, "the daemon answered with content-type '" + type + "', not gRPC");
            }
            return null;
        }
        if (value(fields, "grpc-status") != null) {
            return null; // a trailers-only answer with an odd HTTP status: grpc-status wins
        }
        int code = switch (httpStatus == null ? "" : httpStatus) {
            case "400", "431" -> INTERNAL;
            case "401" -> UNAUTHENTICATED;
            case "403" -> PERMISSION_DENIED;
            case "404" -> UNIMPLEMENTED;
            case "429", "502", "503", "504" -> UNAVAILABLE;
            default -> UNKNOWN;
        };
        return of(code, "the daemon answered HTTP status " + httpStatus + ", not a gRPC answer");
    }

    /** The status the trailers (or a trailers-only answer's headers) carry. */
    static WireStatus ofTrailers(List<Hpack.Field> trailers) {
        String code = value(trailers, "grpc-status");
        if (code == null) {
            return of(UNKNOWN, "the daemon's answer has no grpc-status");
        }
        int number;
        try {
            number = Integer.parseInt(code);
        } catch (NumberFormatException e) {
            return of(UNKNOWN, "grpc-status '" + code + "' is not a number");
        }
        String message = value(trailers, "grpc-message");
        if (message != null) {
            return of(number, percentDecode(message));
        }
        // no description: grpc-java's Status.fromCodeValue names an unknown number itself
        return of(number, null);
    }

    /**
     * The daemon reset the stream (RST_STREAM) with this HTTP/2 error code. A CANCEL once the call's deadline has
     * passed is the daemon ending the call at the deadline it was sent (grpc-timeout), a race with our own timer:
     * DEADLINE_EXCEEDED, as grpc-java's client reports it.
     */
    static WireStatus ofReset(int errorCode, boolean pastDeadline) {
        if (errorCode == Http2Connection.CANCEL && pastDeadline) {
            return of(DEADLINE_EXCEEDED, "deadline exceeded: the daemon reset the stream at the call's deadline");
        }
        int code = switch (errorCode) {
            case Http2Connection.CANCEL -> CANCELLED;
            case 7 -> UNAVAILABLE; // REFUSED_STREAM
            default -> INTERNAL;
        };
        return of(code, "the daemon reset the stream (HTTP/2 error " + errorCode + ")");
    }

    /** Why a message's 5-byte prefix (compressed flag, length) is not one jctr takes, or null. */
    static WireStatus ofMessagePrefix(int flag, int length, int maxMessage) {
        if (flag != 0) {
            return of(INTERNAL, "the daemon sent a compressed message (flag " + flag + "), which jctr did not ask for");
        }
        if (length < 0 || length > maxMessage) {
            return of(RESOURCE_EXHAUSTED, "a message of " + Integer.toUnsignedString(length)
                    + " bytes exceeds jctr's limit of " + maxMessage);
        }
        return null;
    }

    static WireStatus dataBeforeHeaders() {
        return of(INTERNAL, "the daemon sent data before its response headers");
    }

    static WireStatus secondHeaderBlock() {
        return of(INTERNAL, "the daemon sent a second header block that does not end the stream");
    }

    static WireStatus noTrailers() {
        return of(INTERNAL, "the daemon ended the stream without trailers (no grpc-status)");
    }

    static WireStatus endedInsideMessage(int bytesLeft) {
        return of(INTERNAL, "the stream ended inside a message (" + bytesLeft + " bytes left)");
    }

    static WireStatus unparsable(String fullMethodName, RuntimeException e) {
        return of(INTERNAL, "cannot parse the daemon's " + fullMethodName + " answer: " + e.getMessage()).withCause(e);
    }

    static String value(List<Hpack.Field> fields, String name) {
        for (Hpack.Field f : fields) {
            if (f.name().equals(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** grpc-message is percent-encoded UTF-8. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi * 16 + lo);
                    i += 2;
                    continue;
                }
            }
            out.write(c);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
