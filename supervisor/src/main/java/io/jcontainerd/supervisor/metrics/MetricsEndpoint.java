package io.jcontainerd.supervisor.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainerd.config.errdefs.JcdException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * containerd's {@code [metrics] address}: GET /v1/metrics answers the Prometheus text format (0.0.4)
 * of the daemon's meter registry, over the JDK's HTTP server. Other paths are 404, other methods 405.
 */
public final class MetricsEndpoint implements AutoCloseable {
    public static final String PATH = "/v1/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} and serves; a refused bind names the address and what to do. */
    public static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot serve metrics on %s:%d: %s: choose another [metrics] address or stop what uses it",
                    host, port, e.getMessage());
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", ex -> answer(ex, registry));
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    private static void answer(HttpExchange ex, PrometheusMeterRegistry registry) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(PATH)) {
                send(ex, 404, "text/plain; charset=utf-8", ("not found: metrics are at " + PATH + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!head && !ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            if (head) {
                ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                ex.sendResponseHeaders(200, -1);
                return;
            }
            send(ex, 200, CONTENT_TYPE, body);
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
