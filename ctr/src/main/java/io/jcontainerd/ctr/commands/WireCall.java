package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.PendingCall;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A call whose request is given as its wire bytes ({@link WireMessage}; none for google.protobuf.Empty or a request
 * with no field set) and whose answer is read straight from the wire, on {@link Connection}'s own call path, for the
 * commands users time ({@code version}, {@code namespaces ls}, and every call of {@code run}: run/RunWire,
 * run/TaskWire). Neither io.grpc's call machinery (its loggers start java.util.logging, whose service lookup reads the
 * jar) nor the generated message classes are touched: each one's initialiser checks protobuf's
 * {@code RuntimeVersion}, whose own formats a version string with {@code String.format} (the locale data, ~10 ms of
 * CPU), and a message with a map field builds its proto file's descriptors (README "Performance", follow-up 7,
 * sessions 10, 12 and 13).
 */
public final class WireCall {
    /** Reads one answer's fields; an IOException for a malformed one. */
    @FunctionalInterface
    public interface Reader<R> {
        R read(CodedInputStream in) throws IOException;
    }

    private WireCall() {
    }

    /**
     * The string fields 1 to {@code absent.length} of the message {@code in} holds (the last one given wins, as
     * in protobuf), each {@code absent[i]} where not given; every other field is skipped.
     */
    public static String[] readStrings(CodedInputStream in, String... absent) throws IOException {
        String[] values = absent.clone();
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = tag >>> 3;
            if ((tag & 7) == 2 && field >= 1 && field <= values.length) {
                values[field - 1] = readUtf8(in);
            } else {
                in.skipField(tag);
            }
        }
        return values;
    }

    /**
     * A string field, read as protobuf's {@code readStringRequireUtf8} reads it (malformed UTF-8 refused with the same
     * exception), but without protobuf's {@code Utf8}: choosing its decoder, protobuf's {@code UnsafeUtil} looks up
     * Android's classes by name, and that lookup, which fails, reads the class path's jar (README "Performance",
     * session 12).
     */
    public static String readUtf8(CodedInputStream in) throws IOException {
        byte[] bytes = in.readByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
    }

    /**
     * The call with an empty request on {@code connection}'s own unary path ({@link Connection#unary}): no io.grpc
     * channel, call or status on the way unless it fails, so a command that only asks and prints starts no
     * java.util.logging and opens no jar (README "Performance", session 12). Failures are those of a generated stub's call: the
     * same StatusRuntimeException, an unreadable answer included.
     */
    static <R> R call(Connection connection, String service, String method, Reader<R> reader) {
        // as MethodDescriptor.generateFullMethodName makes it
        return connection.unary(service + "/" + method, new byte[0], parser(service, method, reader));
    }

    /** The call with {@code request}'s bytes (a {@link WireMessage}'s) as its request, on {@link Connection#unary}. */
    public static <R> R call(Connection connection, String service, String method, byte[] request, Reader<R> reader) {
        return connection.unary(service + "/" + method, request, parser(service, method, reader));
    }

    /**
     * The call sent without waiting for its answer, with {@code headers} after the namespace's, so that the caller can
     * send another meanwhile (HTTP/2 streams on one connection); {@link PendingCall#await} takes the answer.
     */
    public static <R> PendingCall<R> start(Connection connection, String service, String method, List<Connection.Header> headers,
                                           byte[] request, Reader<R> reader) {
        return connection.start(service + "/" + method, headers, request, parser(service, method, reader));
    }

    /** A server-streaming call: each message of the answer read by {@code each}, in order. */
    public static void stream(Connection connection, String service, String method, byte[] request, Reader<?> each) {
        connection.serverStream(service + "/" + method, request, parser(service, method, each));
    }

    /** An answer the caller needs nothing of, read past (a malformed one still fails, as the generated parser's would). */
    public static Boolean skip(CodedInputStream in) throws IOException {
        in.skipMessage();
        return Boolean.TRUE;
    }

    private static <R> Connection.Parser<R> parser(String service, String method, Reader<R> reader) {
        return (buf, off, len) -> read(service, method, reader, CodedInputStream.newInstance(buf, off, len));
    }

    /** The answer {@code reader} reads from {@code in}; an UncheckedIOException naming the call for a malformed one. */
    private static <R> R read(String service, String method, Reader<R> reader, CodedInputStream in) {
        try {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + service + "/" + method + " answer: " + e.getMessage(), e);
        }
    }
}
