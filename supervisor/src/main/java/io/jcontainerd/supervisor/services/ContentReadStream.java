package io.jcontainerd.supervisor.services;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.content.store.ReaderAt;
import io.jcontainerd.proto.GrpcErrors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * Streams {@code [start, end)} of a blob in chunks of at most 1 MiB, only as fast as the client
 * takes them (gRPC's onReady), so a large layer is never buffered in memory. A client that cancels
 * midway (containerd's clients do once their buffer is full) just stops the stream, quietly. A small
 * range is read on the calling thread, a larger one on virtual threads ({@link #INLINE_MAX}).
 */
final class ContentReadStream {
    static final int CHUNK = 1 << 20;
    private static final Logger LOG = Logger.getLogger(ContentReadStream.class.getName());

    private final ServerCallStreamObserver<ReadContentResponse> call;
    private final ReaderAt reader;
    private final long end;
    private long position;
    private boolean done;

    ContentReadStream(ServerCallStreamObserver<ReadContentResponse> call, ReaderAt reader, long start, long end) {
        this.call = call;
        this.reader = reader;
        this.position = start;
        this.end = end;
    }

    /**
     * Ranges of at most this many bytes (a manifest, a config, an index) are read where the call runs: the
     * event loop that read the request (Content/Read is one of {@link io.jcontainerd.supervisor.grpc.InlineCalls}'
     * reads). A longer range is read on virtual threads, so that no event loop waits on a layer's reads.
     */
    static final long INLINE_MAX = 64 << 10;

    void start() {
        call.setOnCancelHandler(this::cancelled);
        if (end - position <= INLINE_MAX) {
            call.setOnReadyHandler(this::pump);
            pump();
        } else {
            call.setOnReadyHandler(() -> Thread.startVirtualThread(this::pump));
            Thread.startVirtualThread(this::pump);
        }
    }

    private synchronized void pump() {
        try {
            while (!done && !call.isCancelled() && call.isReady()) {
                if (position >= end) {
                    finish();
                    call.onCompleted();
                    return;
                }
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, end - position));
                int n = reader.readAt(buf, position);
                if (n < 0) {
                    finish();
                    call.onError(GrpcErrors.outOfRange("blob ended at %d before the requested end %d", position, end));
                    return;
                }
                buf.flip();
                call.onNext(ReadContentResponse.newBuilder().setOffset(position)
                        .setData(UnsafeByteOperations.unsafeWrap(buf)).build());
                position += n;
            }
        } catch (IOException e) {
            finish();
            call.onError(GrpcErrors.toStatus(new java.io.UncheckedIOException("reading blob at offset " + position, e)));
        } catch (RuntimeException e) {
            if (!call.isCancelled()) {
                finish();
                call.onError(GrpcErrors.toStatus(e));
            }
        }
    }

    private synchronized void cancelled() {
        finish();
    }

    private void finish() {
        if (!done) {
            done = true;
            try {
                reader.close();
            } catch (IOException e) {
                LOG.fine(() -> "closing blob reader: " + e);
            }
        }
    }
}
