package io.jcontainerd.content.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream that gives up when no bytes arrive for a while. The JDK's own
 * ofInputStream() waits forever on a connection that stalls without closing, which would hang a
 * pull; with this the read fails and the download resumes on a new connection.
 */
final class IdleTimeoutBody implements HttpResponse.BodySubscriber<InputStream> {

    private static final Object END = new Object();

    private final Duration idle;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;

    IdleTimeoutBody(Duration idle) {
        this.idle = idle;
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
        return info -> new IdleTimeoutBody(idle);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(new Stream());
    }

    private final class Stream extends InputStream {
        private List<ByteBuffer> current = List.of();
        private int index;
        private boolean done;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("stream closed");
            if (len == 0) return 0;
            while (true) {
                while (index < current.size() && !current.get(index).hasRemaining()) index++;
                if (index < current.size()) {
                    ByteBuffer buf = current.get(index);
                    int n = Math.min(len, buf.remaining());
                    buf.get(b, off, n);
                    return n;
                }
                if (done) return -1;
                Object next;
                try {
                    next = queue.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading a registry response");
                }
                if (next == null) {
                    cancel();
                    throw new IOException("no data from the registry for " + idle.toMillis() + " ms");
                }
                if (next == END) {
                    done = true;
                    return -1;
                }
                if (next instanceof Throwable t) {
                    done = true;
                    throw t instanceof IOException io ? io : new IOException(t);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> bufs = (List<ByteBuffer>) next;
                current = bufs;
                index = 0;
                subscription.request(1);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (!done) cancel();
            }
        }

        private void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) s.cancel();
        }
    }
}
