package io.jcontainerd.supervisor.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry that dies in the middle of a blob: it speaks just enough of the distribution API
 * (GET /v2/ 200, HEAD of a blob 404, POST of an upload 202 with a Location), and on the first PUT of
 * a blob reads {@value #BYTES_BEFORE_DEATH} bytes of it, then drops the connection and stops listening,
 * so every later connection is refused.
 */
final class DyingRegistry implements AutoCloseable {
    static final int BYTES_BEFORE_DEATH = 64 * 1024;
    private final ServerSocket server;
    final AtomicLong bytesReceived = new AtomicLong(-1);

    DyingRegistry() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("dying-registry").start(this::serve);
    }

    String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    boolean dead() {
        return server.isClosed();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> connection(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connection(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = head(in);
                if (head == null) {
                    return;
                }
                String[] line = head.lines().findFirst().orElse("").split(" ");
                String method = line[0];
                String path = line.length > 1 ? line[1] : "";
                long length = head.lines().map(l -> l.toLowerCase(Locale.ROOT))
                        .filter(l -> l.startsWith("content-length:")).mapToLong(l -> Long.parseLong(l.substring(15).strip())).findFirst().orElse(0);
                if (method.equals("PUT") && path.contains("/blobs/uploads/")) {
                    long got = in.readNBytes((int) Math.min(length, BYTES_BEFORE_DEATH)).length;
                    bytesReceived.set(got);
                    server.close(); // the registry dies: this connection drops, the next ones are refused
                    return;
                }
                in.readNBytes((int) Math.min(length, 1 << 20));
                if (method.equals("GET") && path.equals("/v2/")) {
                    respond(out, "200 OK", "Content-Type: application/json\r\nContent-Length: 2\r\n", "{}");
                } else if (method.equals("HEAD") && path.contains("/blobs/")) {
                    respond(out, "404 Not Found", "Content-Length: 0\r\n", "");
                } else if (method.equals("POST") && path.endsWith("/blobs/uploads/")) {
                    respond(out, "202 Accepted", "Location: " + path + "u1\r\nContent-Length: 0\r\n", "");
                } else {
                    respond(out, "404 Not Found", "Content-Length: 0\r\n", "");
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the client or the registry went away
        }
    }

    private static void respond(OutputStream out, String status, String headers, String body) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A request head up to the blank line (bounded), or null at the end of the connection. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4 && b.size() < 16 * 1024) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
