package io.jcontainerd.supervisor.services;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One Content.Write stream driven step by step, as a client does: send a request, wait for its answer or the stream's end. */
final class WriteStream implements AutoCloseable {
    private static final Object COMPLETED = new Object();

    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final StreamObserver<WriteContentRequest> requests;

    WriteStream(Channel channel) {
        requests = ContentGrpc.newStub(channel).write(new StreamObserver<>() {
            @Override
            public void onNext(WriteContentResponse value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
            }

            @Override
            public void onCompleted() {
                answers.add(COMPLETED);
            }
        });
    }

    /** Sends and returns the answer; a stream that ends with an error throws it as StatusRuntimeException. */
    WriteContentResponse send(WriteContentRequest req) throws InterruptedException {
        requests.onNext(req);
        Object a = next();
        if (a instanceof WriteContentResponse r) {
            return r;
        }
        throw new AssertionError("expected an answer to " + req.getAction() + ", the stream ended: " + a);
    }

    /** Sends and expects the stream to end with {@code code}; returns the status. */
    Status sendExpectingError(WriteContentRequest req, Status.Code code) throws InterruptedException {
        requests.onNext(req);
        Object a = next();
        if (a instanceof StatusRuntimeException e && e.getStatus().getCode() == code) {
            return e.getStatus();
        }
        throw new AssertionError("expected the stream to end with " + code + " but got " + a);
    }

    WriteContentResponse stat(String ref, long total, String expected) throws InterruptedException {
        return send(WriteContentRequest.newBuilder().setAction(WriteAction.STAT).setRef(ref).setTotal(total).setExpected(expected).build());
    }

    WriteContentResponse write(long offset, byte[] data) throws InterruptedException {
        return send(WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(offset).setData(ByteString.copyFrom(data)).build());
    }

    WriteContentResponse commit(long total, long offset, String expected) throws InterruptedException {
        return send(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setTotal(total).setOffset(offset).setExpected(expected).build());
    }

    /** Half-closes and waits for the server to end the stream OK. */
    void halfClose() throws InterruptedException {
        requests.onCompleted();
        Object a = next();
        if (a != COMPLETED) {
            throw new AssertionError("expected the stream to end OK after half-close, got " + a);
        }
    }

    /** After COMMIT the server ends the stream: wait for that. */
    void awaitEnd() throws InterruptedException {
        Object a = next();
        if (a != COMPLETED) {
            throw new AssertionError("expected the stream to end OK, got " + a);
        }
        requests.onCompleted();
    }

    private Object next() throws InterruptedException {
        Object a = answers.poll(10, TimeUnit.SECONDS);
        if (a == null) {
            throw new AssertionError("no Content.Write answer within 10 s");
        }
        return a;
    }

    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
            // ended by the server or by the test
        }
    }
}
