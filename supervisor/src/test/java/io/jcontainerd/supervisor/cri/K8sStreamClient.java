package io.jcontainerd.supervisor.cri;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A streaming client as kubectl's WebSocket executor: the JDK's java.net.http.WebSocket speaking
 * the Kubernetes channel framing (first byte of each binary message: its channel), collecting
 * what arrives per channel.
 */
final class K8sStreamClient implements AutoCloseable {
    private final WebSocket ws;
    private final Map<Integer, ByteArrayOutputStream> channels = new HashMap<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private K8sStreamClient(URI uri, String protocol, HttpClient http) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
        if (protocol != null) {
            b.subprotocols(protocol);
        }
        ws = b.buildAsync(uri, new Collector()).get(60, TimeUnit.SECONDS);
    }

    static K8sStreamClient connect(String url, String protocol) throws Exception {
        return connect(url, protocol, HttpClient.newHttpClient());
    }

    /** Over {@code http}'s connection settings (TLS: its SSL context); an https URL is reached as wss. */
    static K8sStreamClient connect(String url, String protocol, HttpClient http) throws Exception {
        return new K8sStreamClient(URI.create(url.replaceFirst("^http", "ws")), protocol, http);
    }

    String protocol() {
        return ws.getSubprotocol();
    }

    private final class Collector implements WebSocket.Listener {
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            message.writeBytes(b);
            if (last) {
                byte[] m = message.toByteArray();
                message.reset();
                if (m.length > 0) {
                    synchronized (channels) {
                        channels.computeIfAbsent(m[0] & 0xff, k -> new ByteArrayOutputStream()).write(m, 1, m.length - 1);
                        channels.notifyAll();
                    }
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
            closed.complete(statusCode);
            synchronized (channels) {
                channels.notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.complete(-1);
            synchronized (channels) {
                channels.notifyAll();
            }
        }
    }

    void send(int channel, byte[] data) throws Exception {
        byte[] m = new byte[data.length + 1];
        m[0] = (byte) channel;
        System.arraycopy(data, 0, m, 1, data.length);
        ws.sendBinary(ByteBuffer.wrap(m), true).get(30, TimeUnit.SECONDS);
    }

    void send(int channel, String text) throws Exception {
        send(channel, text.getBytes(StandardCharsets.UTF_8));
    }

    /** v5: closes the client's end of {@code channel}. */
    void closeStream(int channel) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(new byte[]{(byte) 255, (byte) channel}), true).get(30, TimeUnit.SECONDS);
    }

    byte[] bytes(int channel) {
        synchronized (channels) {
            ByteArrayOutputStream b = channels.get(channel);
            return b == null ? new byte[0] : b.toByteArray();
        }
    }

    String text(int channel) {
        return new String(bytes(channel), StandardCharsets.UTF_8);
    }

    /** Waits (60 s at most) until what arrived on {@code channel} satisfies {@code done}; returns it. */
    String await(int channel, Predicate<String> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (channels) {
            while (!done.test(text(channel))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("channel " + channel + " never satisfied the condition in 60 s; it holds: " + text(channel)
                            + " (closed: " + closed.getNow(null) + ")");
                }
                channels.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return text(channel);
        }
    }

    /** The close code the server sent, waiting up to 60 s. */
    int awaitClose() throws Exception {
        return closed.get(60, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        ws.abort();
    }
}
