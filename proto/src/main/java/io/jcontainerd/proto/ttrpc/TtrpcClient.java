package io.jcontainerd.proto.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jcontainerd.api.ttrpc.KeyValue;
import io.jcontainerd.api.ttrpc.Request;
import io.jcontainerd.api.ttrpc.Response;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.StatusCodes;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ttrpc connection to a unix socket, shared by any number of concurrent unary calls (client
 * streams have odd ids; answers are matched to calls by id). One virtual thread reads the answers.
 * A connection that broke stays broken: every waiting and later call fails with
 * {@link TtrpcException}; connect again for a new one.
 */
public final class TtrpcClient implements AutoCloseable {
    private final Path socket;
    private final SocketChannel channel;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<Integer, CompletableFuture<Response>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger nextStream = new AtomicInteger(1);
    private volatile String broken;

    private TtrpcClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
    }

    /** Connects to {@code socket}; a {@link TtrpcException} says why nobody answered there. */
    public static TtrpcClient connect(Path socket) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new TtrpcException("cannot connect to " + socket + ": " + e, e);
        }
        TtrpcClient client = new TtrpcClient(socket, channel);
        Thread.ofVirtual().name("ttrpc-client " + socket.getFileName()).start(client::readLoop);
        return client;
    }

    public Path socket() {
        return socket;
    }

    /** Whether the connection still stands (as far as this side knows). */
    public boolean isOpen() {
        return broken == null;
    }

    /**
     * Calls {@code service/method} and waits for its answer, at most {@code timeout} (null: as long
     * as it takes).
     *
     * @throws JcdException     the error the server answered (its status code's kind), DEADLINE_EXCEEDED
     *                          if no answer came in time, CANCELLED if the caller was interrupted
     * @throws TtrpcException   the connection could not carry the call or broke before the answer
     */
    public <R extends Message> R call(String service, String method, Message request, Parser<R> parser, Duration timeout,
                                      Map<String, String> metadata) {
        String name = service + "/" + method;
        Request.Builder envelope = Request.newBuilder().setService(service).setMethod(method).setPayload(request.toByteString());
        metadata.forEach((k, v) -> envelope.addMetadata(KeyValue.newBuilder().setKey(k).setValue(v)));
        if (timeout != null) {
            envelope.setTimeoutNano(timeout.toNanos());
        }
        byte[] data = envelope.build().toByteArray();
        if (data.length > Frame.MAX_DATA) {
            throw JcdException.invalidArgument("the request of %s is %d bytes, more than the %d a ttrpc frame may carry",
                    name, data.length, Frame.MAX_DATA);
        }
        CompletableFuture<Response> answer = new CompletableFuture<>();
        int stream;
        do {
            // odd ids, as a client's; after 2^30 calls they come round again: skip one still waiting (a long Wait)
            stream = nextStream.getAndAdd(2) & 0x7fffffff | 1;
        } while (waiting.putIfAbsent(stream, answer) != null);
        if (broken != null) {
            waiting.remove(stream);
            throw gone(name);
        }
        writeLock.lock();
        try {
            new Frame(stream, Frame.REQUEST, (byte) 0, data).write(channel);
        } catch (IOException e) {
            fail("writing failed: " + e.getMessage());
        } finally {
            writeLock.unlock();
        }
        Response response = await(name, stream, answer, timeout);
        if (response.hasStatus() && response.getStatus().getCode() != StatusCodes.OK) {
            throw StatusCodes.error(response.getStatus().getCode(), response.getStatus().getMessage(), null);
        }
        try {
            return parser.parseFrom(response.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "the answer of " + name + " from " + socket + " is not a valid message: "
                    + e.getMessage(), e);
        }
    }

    public <R extends Message> R call(String service, String method, Message request, Parser<R> parser, Duration timeout) {
        return call(service, method, request, parser, timeout, Map.of());
    }

    private Response await(String name, int stream, CompletableFuture<Response> answer, Duration timeout) {
        try {
            return timeout == null ? answer.get() : answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            waiting.remove(stream);
            throw JcdException.of(ErrorKind.DEADLINE_EXCEEDED, name + " on " + socket + " got no answer within " + timeout, e);
        } catch (InterruptedException e) {
            waiting.remove(stream);
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, name + " on " + socket + " was interrupted while waiting for its answer", e);
        } catch (ExecutionException e) {
            throw gone(name);
        }
    }

    private TtrpcException gone(String name) {
        return new TtrpcException(name + " on " + socket + " got no answer: " + broken, null);
    }

    private void readLoop() {
        try {
            Frame frame;
            while ((frame = Frame.read(channel)) != null) {
                if (frame.type() != Frame.RESPONSE) {
                    continue; // this client opens no streams, so data frames have nowhere to go
                }
                CompletableFuture<Response> answer = waiting.remove(frame.streamId());
                if (answer == null) {
                    continue; // the caller stopped waiting (its timeout)
                }
                try {
                    answer.complete(Response.parseFrom(frame.data()));
                } catch (InvalidProtocolBufferException e) {
                    fail("the peer sent an answer that is not a ttrpc.Response: " + e.getMessage());
                    return;
                }
            }
            fail("the peer closed the connection");
        } catch (IOException e) {
            fail("the connection broke: " + e.getMessage());
        }
    }

    private void fail(String reason) {
        synchronized (this) {
            if (broken == null) {
                broken = reason;
            }
        }
        for (Integer stream : List.copyOf(waiting.keySet())) {
            CompletableFuture<Response> answer = waiting.remove(stream);
            if (answer != null) {
                answer.completeExceptionally(new TtrpcException(reason, null));
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed is what was asked
        }
    }

    @Override
    public void close() {
        fail("the connection was closed by this side");
    }
}
