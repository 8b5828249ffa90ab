package io.jcontainerd.ctr.client;

import io.grpc.StatusRuntimeException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call with one request on an {@link Http2Connection} stream, its request given as bytes, without io.grpc's
 * call machinery (channel, interceptors, {@code Metadata}, {@code Status}, the stub's future): for the commands users
 * time ({@code version}, {@code namespaces ls}, {@code run}), whose success path then never starts java.util.logging
 * ({@link WireStatus}). A unary call answers as grpc-stub's {@code blockingUnaryCall} on a {@link GrpcCall} does: the
 * same request headers, the same status for the same answer, a {@code StatusRuntimeException} for every failure,
 * {@code DEADLINE_EXCEEDED} at the deadline; a server-streaming one (Content/Read) hands each message to its parser
 * and ends as grpc-stub's blocking iterator does. ConnectionTest holds the two paths to each other.
 */
final class UnaryCall<R> implements Http2Connection.StreamListener, PendingCall<R> {
    private final Http2Connection connection;
    private final String fullMethodName;
    private final int maxMessage;
    private final Connection.Parser<R> parser;
    private final boolean deadline;
    private final long deadlineNanos;
    /** Server streaming: every message goes to the parser, none or many; the answer is the last one's. */
    private final boolean streaming;
    /** The time the call had left when its request was sent, for the deadline's message. */
    private long timeLeftAtSend;
    // guarded by this
    private int streamId;
    private boolean headersSeen;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private boolean answered;
    private R answer;
    private WireStatus end;

    private UnaryCall(Http2Connection connection, String fullMethodName, int maxMessage, Connection.Parser<R> parser,
                      boolean deadline, long deadlineNanos, boolean streaming) {
        this.connection = connection;
        this.fullMethodName = fullMethodName;
        this.maxMessage = maxMessage;
        this.parser = parser;
        this.deadline = deadline;
        this.deadlineNanos = deadlineNanos;
        this.streaming = streaming;
    }

    /**
     * Sends {@code request} (a message's bytes) with {@code metadata} after the gRPC headers, without waiting for the
     * answer, which {@link #await} takes, at most until {@code deadlineNanos} ({@code System.nanoTime()}) when
     * {@code deadline}: the answer's one message as {@code parser} reads it; with {@code streaming}, each of the
     * answer's messages goes to {@code parser} and the last one's reading is the answer (null for none).
     */
    static <R> UnaryCall<R> start(Http2Connection connection, String fullMethodName, List<Hpack.Field> metadata,
                                  boolean deadline, long deadlineNanos, byte[] request, int maxMessage,
                                  Connection.Parser<R> parser, boolean streaming) {
        UnaryCall<R> call = new UnaryCall<>(connection, fullMethodName, maxMessage, parser, deadline, deadlineNanos, streaming);
        call.send(metadata, request);
        return call;
    }

    private void send(List<Hpack.Field> metadata, byte[] request) {
        long remaining = deadlineNanos - System.nanoTime();
        List<Hpack.Field> fields = GrpcHeaders.request(fullMethodName, deadline, remaining);
        fields.addAll(metadata);
        synchronized (this) {
            if (deadline && remaining <= 0) {
                end = WireStatus.of(WireStatus.DEADLINE_EXCEEDED, "deadline exceeded before the call started");
            } else {
                try {
                    streamId = connection.openStream(fields, false, this);
                } catch (IOException e) {
                    end = WireStatus.of(WireStatus.UNAVAILABLE, e.getMessage()).withCause(e);
                }
            }
            if (end != null) {
                return;
            }
        }
        // the request and the end of our side in one DATA frame (grpc-stub sends the message, then an empty one ending
        // the stream); an answer that ended the stream first leaves the stream gone, and sendData sends nothing
        byte[] framed = ByteBuffer.allocate(5 + request.length).put((byte) 0).putInt(request.length).put(request).array();
        try {
            connection.sendData(streamId, framed, true);
        } catch (IOException e) {
            fail(WireStatus.of(WireStatus.UNAVAILABLE, e.getMessage()).withCause(e));
        }
        timeLeftAtSend = deadlineNanos - System.nanoTime();
    }

    /** Waits for the call's end: the answer, or the StatusRuntimeException grpc-stub's blocking call would throw. */
    @Override
    public R await() {
        boolean interrupted = false;
        synchronized (this) {
            while (end == null) {
                try {
                    long waitFor = deadlineNanos - System.nanoTime();
                    if (!deadline) {
                        wait();
                    } else if (waitFor > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, waitFor);
                    } else {
                        failLocked(WireStatus.of(WireStatus.DEADLINE_EXCEEDED, "deadline exceeded after "
                                + TimeUnit.NANOSECONDS.toMillis(Math.max(0, timeLeftAtSend)) + " ms"));
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    failLocked(WireStatus.of(WireStatus.CANCELLED, "Thread interrupted").withCause(e));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return result();
        }
    }

    /** Caller holds this and the call has ended: the answer, or the exception grpc-stub's blocking call throws. */
    private R result() {
        if (!end.isOk()) {
            throw new StatusRuntimeException(end.toStatus());
        }
        if (!answered && !streaming) {
            throw new StatusRuntimeException(WireStatus.of(WireStatus.INTERNAL, "No value received for unary call").toStatus());
        }
        return answer;
    }

    private synchronized void fail(WireStatus status) {
        failLocked(status);
    }

    /** Caller holds this: ends the call with {@code status} and resets the stream, unless it has ended. */
    private void failLocked(WireStatus status) {
        if (end != null) {
            return;
        }
        endLocked(status);
        if (streamId != 0) {
            connection.reset(streamId, Http2Connection.CANCEL);
        }
    }

    /** Caller holds this. */
    private void endLocked(WireStatus status) {
        end = status;
        notifyAll();
    }

    @Override
    public void onHeaders(List<Hpack.Field> fields, boolean endStream) {
        synchronized (this) {
            if (end != null) {
                return;
            }
            if (!headersSeen) {
                headersSeen = true;
                WireStatus failure = WireStatus.ofResponseHeaders(fields);
                if (failure != null) {
                    failLocked(failure);
                } else if (endStream) {
                    trailers(fields); // trailers-only: the status is in these headers
                }
            } else if (!endStream) {
                failLocked(WireStatus.secondHeaderBlock());
            } else {
                trailers(fields);
            }
        }
    }

    @Override
    public void onData(byte[] data, int off, int len, boolean endStream) {
        synchronized (this) {
            if (end != null) {
                return;
            }
            if (!headersSeen) {
                failLocked(WireStatus.dataBeforeHeaders());
                return;
            }
            partial.write(data, off, len);
            WireStatus bad = takeMessages();
            if (bad != null) {
                failLocked(bad);
            } else if (endStream) {
                failLocked(WireStatus.noTrailers());
            } else {
                connection.consumed(streamId, len);
            }
        }
    }

    @Override
    public void onReset(int errorCode) {
        synchronized (this) {
            if (end == null) {
                endLocked(WireStatus.ofReset(errorCode, deadline && System.nanoTime() - deadlineNanos >= 0));
            }
        }
    }

    @Override
    public void onFailed(String why) {
        synchronized (this) {
            if (end == null) {
                endLocked(WireStatus.of(WireStatus.UNAVAILABLE, why));
            }
        }
    }

    /** Caller holds this: the complete messages in {@link #partial}, parsed; or why the bytes are not one answer. */
    private WireStatus takeMessages() {
        byte[] buf = partial.toByteArray();
        int pos = 0;
        while (buf.length - pos >= 5) {
            int len = ByteBuffer.wrap(buf, pos + 1, 4).getInt();
            WireStatus bad = WireStatus.ofMessagePrefix(buf[pos], len, maxMessage);
            if (bad != null) {
                return bad;
            }
            if (buf.length - pos - 5 < len) {
                break;
            }
            if (answered && !streaming) {
                return WireStatus.of(WireStatus.INTERNAL, "More than one value received for unary call");
            }
            try {
                answer = parser.parse(buf, pos + 5, len);
            } catch (RuntimeException e) {
                return WireStatus.unparsable(fullMethodName, e);
            }
            answered = true;
            pos += 5 + len;
        }
        if (pos > 0) {
            partial.reset();
            partial.write(buf, pos, buf.length - pos);
        }
        return null;
    }

    /** Caller holds this: the stream ended with these trailers. */
    private void trailers(List<Hpack.Field> trailers) {
        if (partial.size() > 0) {
            failLocked(WireStatus.endedInsideMessage(partial.size()));
            return;
        }
        endLocked(WireStatus.ofTrailers(trailers));
    }
}
