package io.jcontainerd.ctr.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call (the gRPC-over-HTTP/2 wire format) on one {@link Http2Connection} stream: request
 * headers with the deadline as {@code grpc-timeout}, length-prefixed messages, the status from the
 * trailers (or from a trailers-only answer, or from the HTTP status). Callbacks go through the call's
 * executor in order (grpc-stub's blocking calls run them on the waiting thread); messages are handed
 * over only as the caller requests them, and the stream's window opens as they are.
 */
final class GrpcCall<Q, R> extends ClientCall<Q, R> implements Http2Connection.StreamListener {
    private static final byte[] NO_BYTES = new byte[0];

    private final Http2Connection connection;
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final int maxMessage;
    private final SerialExecutor callbacks;
    // guarded by this
    private Listener<R> listener;
    private int streamId;
    private boolean headersSeen;
    private boolean halfClosed;
    private boolean closed;
    private int requested;
    private final ArrayDeque<R> pending = new ArrayDeque<>();
    private int owedWindow;
    private Status endStatus;
    private Metadata endTrailers;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    GrpcCall(Http2Connection connection, MethodDescriptor<Q, R> method, CallOptions options, int maxMessage) {
        this.connection = connection;
        this.method = method;
        this.options = options;
        this.maxMessage = maxMessage;
        this.callbacks = new SerialExecutor(options.getExecutor());
    }

    @Override
    public void start(Listener<R> responseListener, Metadata headers) {
        Deadline deadline = options.getDeadline();
        List<Hpack.Field> fields = GrpcHeaders.request(method.getFullMethodName(), deadline != null,
                deadline == null ? 0 : deadline.timeRemaining(TimeUnit.NANOSECONDS));
        byte[][] md = InternalMetadata.serialize(headers);
        for (int i = 0; i + 1 < md.length; i += 2) {
            String name = new String(md[i], StandardCharsets.US_ASCII);
            String value = name.endsWith("-bin") ? Base64.getEncoder().withoutPadding().encodeToString(md[i + 1])
                    : new String(md[i + 1], StandardCharsets.ISO_8859_1);
            fields.add(new Hpack.Field(name, value));
        }
        synchronized (this) {
            listener = responseListener;
            if (deadline != null && deadline.isExpired()) {
                finish(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded before the call started"), new Metadata());
            } else {
                try {
                    streamId = connection.openStream(fields, false, this);
                } catch (IOException e) {
                    finish(Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e), new Metadata());
                }
            }
        }
        callbacks.flush();
        if (deadline != null && !isClosed()) {
            long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS, Runnable::run).execute(() ->
                    abort(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after "
                            + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms"), Http2Connection.CANCEL));
        }
    }

    @Override
    public void request(int numMessages) {
        synchronized (this) {
            requested += numMessages;
            deliver();
        }
        callbacks.flush();
    }

    @Override
    public void cancel(String message, Throwable cause) {
        Status s = Status.CANCELLED.withDescription(message == null ? "cancelled by jctr" : message);
        abort(cause == null ? s : s.withCause(cause), Http2Connection.CANCEL);
    }

    @Override
    public void halfClose() {
        send(NO_BYTES, true);
    }

    @Override
    public void sendMessage(Q message) {
        byte[] body;
        try (InputStream in = method.streamRequest(message)) {
            body = in.readAllBytes();
        } catch (IOException e) {
            abort(Status.INTERNAL.withDescription("cannot serialize the request: " + e.getMessage()).withCause(e), Http2Connection.CANCEL);
            return;
        }
        byte[] framed = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body).array();
        send(framed, false);
    }

    @Override
    public synchronized boolean isReady() {
        return !closed && !halfClosed;
    }

    private void send(byte[] bytes, boolean last) {
        int id;
        synchronized (this) {
            if (closed || halfClosed) {
                return;
            }
            halfClosed = last;
            id = streamId;
        }
        try {
            connection.sendData(id, bytes, last);
        } catch (IOException e) {
            abort(Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e), Http2Connection.CANCEL);
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the call now, dropping what was not delivered, and resets the stream. */
    private void abort(Status status, int errorCode) {
        int id;
        synchronized (this) {
            if (closed) {
                return;
            }
            id = streamId;
            pending.clear();
            finish(status, new Metadata());
        }
        if (id != 0) {
            connection.reset(id, errorCode);
        }
        callbacks.flush();
    }

    @Override
    public void onHeaders(List<Hpack.Field> fields, boolean endStream) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!headersSeen) {
                headersSeen = true;
                WireStatus failure = WireStatus.ofResponseHeaders(fields);
                if (failure != null) {
                    abortLocked(failure.toStatus());
                } else if (endStream) {
                    end(fields); // trailers-only: the status is in these headers
                } else {
                    Metadata md = metadata(fields);
                    callbacks.enqueue(() -> listener.onHeaders(md));
                }
            } else if (!endStream) {
                abortLocked(WireStatus.secondHeaderBlock().toStatus());
            } else {
                end(fields);
            }
        }
        callbacks.flush();
    }

    @Override
    public void onData(byte[] data, int off, int len, boolean endStream) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!headersSeen) {
                abortLocked(WireStatus.dataBeforeHeaders().toStatus());
            } else {
                partial.write(data, off, len);
                Status bad = takeMessages();
                if (bad != null) {
                    abortLocked(bad);
                } else if (endStream) {
                    abortLocked(WireStatus.noTrailers().toStatus());
                } else {
                    if (pending.isEmpty()) {
                        connection.consumed(streamId, len + owedWindow);
                        owedWindow = 0;
                    } else {
                        owedWindow += len;
                    }
                }
            }
        }
        callbacks.flush();
    }

    @Override
    public void onReset(int errorCode) {
        Deadline deadline = options.getDeadline();
        Status s = WireStatus.ofReset(errorCode, deadline != null && deadline.isExpired()).toStatus();
        synchronized (this) {
            if (!closed) {
                pending.clear();
                finish(s, new Metadata());
            }
        }
        callbacks.flush();
    }

    @Override
    public void onFailed(String why) {
        synchronized (this) {
            if (!closed) {
                pending.clear();
                finish(Status.UNAVAILABLE.withDescription(why), new Metadata());
            }
        }
        callbacks.flush();
    }

    /** Caller holds this: fails the call and resets the stream, as {@link #abort} from the reader thread. */
    private void abortLocked(Status status) {
        pending.clear();
        finish(status, new Metadata());
        connection.reset(streamId, Http2Connection.CANCEL);
    }

    /** The complete messages in {@link #partial}, parsed and queued; or why the bytes are not messages. */
    private Status takeMessages() {
        byte[] buf = partial.toByteArray();
        int pos = 0;
        while (buf.length - pos >= 5) {
            int flag = buf[pos];
            int len = ByteBuffer.wrap(buf, pos + 1, 4).getInt();
            WireStatus bad = WireStatus.ofMessagePrefix(flag, len, maxMessage);
            if (bad != null) {
                return bad.toStatus();
            }
            if (buf.length - pos - 5 < len) {
                break;
            }
            try {
                pending.add(method.parseResponse(new ByteArrayInputStream(buf, pos + 5, len)));
            } catch (RuntimeException e) {
                return WireStatus.unparsable(method.getFullMethodName(), e).toStatus();
            }
            pos += 5 + len;
        }
        if (pos > 0) {
            partial.reset();
            partial.write(buf, pos, buf.length - pos);
        }
        deliver();
        return null;
    }

    /** Caller holds this: the stream ended with these trailers. */
    private void end(List<Hpack.Field> trailers) {
        if (partial.size() > 0) {
            abortLocked(WireStatus.endedInsideMessage(partial.size()).toStatus());
            return;
        }
        Status status = WireStatus.ofTrailers(trailers).toStatus();
        endStatus = status;
        endTrailers = metadata(trailers);
        if (!halfClosed) {
            connection.reset(streamId, Http2Connection.NO_ERROR);
        }
        deliver();
    }

    /** Caller holds this: hands requested messages over, then the close once all are. */
    private void deliver() {
        while (requested > 0 && !pending.isEmpty()) {
            R message = pending.poll();
            requested--;
            callbacks.enqueue(() -> listener.onMessage(message));
        }
        if (pending.isEmpty() && owedWindow > 0 && !closed) {
            connection.consumed(streamId, owedWindow);
            owedWindow = 0;
        }
        if (pending.isEmpty() && endStatus != null && !closed) {
            finish(endStatus, endTrailers);
        }
    }

    /** Caller holds this. */
    private void finish(Status status, Metadata trailers) {
        closed = true;
        Listener<R> l = listener;
        if (l != null) {
            callbacks.enqueue(() -> l.onClose(status, trailers));
        }
    }

    /** The fields as gRPC metadata: pseudo-headers left out, "-bin" values base64-decoded (bad ones left out). */
    private static Metadata metadata(List<Hpack.Field> fields) {
        List<byte[]> kv = new ArrayList<>();
        for (Hpack.Field f : fields) {
            if (f.name().startsWith(":")) {
                continue;
            }
            byte[] value;
            if (f.name().endsWith("-bin")) {
                try {
                    value = Base64.getDecoder().decode(f.value());
                } catch (IllegalArgumentException e) {
                    continue;
                }
            } else {
                value = f.value().getBytes(StandardCharsets.ISO_8859_1);
            }
            kv.add(f.name().getBytes(StandardCharsets.US_ASCII));
            kv.add(value);
        }
        return InternalMetadata.newMetadata(kv.size() / 2, kv.toArray(new byte[0][]));
    }
}
