package io.jcontainerd.content.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainerd.content.image.Digest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny distribution-spec server on 127.0.0.1 for protocol edge cases (token flow, Range,
 * disconnects, 5xx). The real registry (Debian's docker-registry) is used by the ITs.
 */
public final class FakeRegistry implements AutoCloseable {

    public record Manifest(String mediaType, byte[] body) {
    }

    public final HttpServer server;
    public final Map<String, Manifest> manifests = new ConcurrentHashMap<>(); // "repo/ref" → manifest (tag or digest)
    public final Map<String, byte[]> blobs = new ConcurrentHashMap<>();       // digest string → content
    public final List<String> requests = new CopyOnWriteArrayList<>();        // "METHOD path [range]"
    public final AtomicLong blobBytesSent = new AtomicLong();

    public volatile String bearerToken;            // if set, /v2 requests need "Bearer <token>"
    public volatile byte[] tokenResponse;          // if set, the token endpoint's body instead of {"token": bearerToken}
    public volatile String basicUserPass;          // if set, /v2 requests need Basic user:pass
    public volatile String tokenServerBasic;       // if set, the token endpoint needs this Basic user:pass
    public volatile String tokenServerRefreshToken; // if set, a POST to the token endpoint with this refresh token gets access_token
    public volatile boolean tokenServerNoPost;     // the token endpoint answers POST with 404 (GCR's)
    public final List<String> tokenForms = new CopyOnWriteArrayList<>(); // the bodies POSTed to the token endpoint
    public final AtomicInteger failNext5xx = new AtomicInteger();
    public final AtomicInteger failNext429 = new AtomicInteger();
    public volatile long disconnectBlobAfter = -1; // cut the next blob body after this many bytes (once)
    public volatile long stallBlobAfter = -1;      // stop sending the next blob body after this many bytes (once)
    public volatile long stallMillis = 5_000;
    public volatile boolean headWithoutDigest;     // HEAD answers without Docker-Content-Digest
    public volatile boolean ignoreRange;           // answer Range requests with the whole blob (200)
    public final Map<String, byte[]> corruptBlobs = new ConcurrentHashMap<>(); // served instead of the real bytes

    public volatile long blobDelayMillis;     // each blob response waits this long before its body
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();

    public FakeRegistry() throws IOException {
        this(null);
    }

    /** Serves HTTPS with the given context, plain HTTP when null. */
    public FakeRegistry(javax.net.ssl.SSLContext tls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls != null) {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(loopback, 0);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::v2);
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public Digest addBlob(byte[] content) {
        Digest d = Digest.of(content);
        blobs.put(d.toString(), content);
        return d;
    }

    public Digest addManifest(String repo, String tag, String mediaType, byte[] body) {
        Digest d = Digest.of(body);
        manifests.put(repo + "/" + d, new Manifest(mediaType, body));
        if (tag != null) manifests.put(repo + "/" + tag, new Manifest(mediaType, body));
        return d;
    }

    private void token(HttpExchange ex) throws IOException {
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        if (ex.getRequestMethod().equals("POST")) {
            String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            tokenForms.add(form);
            String wanted = tokenServerRefreshToken;
            if (tokenServerNoPost) {
                send(ex, 404, new byte[0], "text/plain");
            } else if (wanted != null && form.contains("grant_type=refresh_token")
                    && form.contains("refresh_token=" + java.net.URLEncoder.encode(wanted, StandardCharsets.UTF_8) + "&")) {
                send(ex, 200, ("{\"access_token\":\"" + bearerToken + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8), "application/json");
            } else {
                send(ex, 401, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
            }
            return;
        }
        if (tokenServerBasic != null && !("Basic " + b64(tokenServerBasic)).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
            return;
        }
        String body = "{\"token\":\"" + bearerToken + "\",\"expires_in\":300}";
        byte[] raw = tokenResponse;
        send(ex, 200, raw != null ? raw : body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void v2(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath().substring("/v2/".length());
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " /v2/" + path + (range != null ? " " + range : ""));
        if (failNext5xx.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 503, "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"try later\"}]}".getBytes(StandardCharsets.UTF_8), "application/json");
            return;
        }
        if (failNext429.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().add("Retry-After", "0");
            send(ex, 429, new byte[0], "application/json");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (bearerToken != null && !("Bearer " + bearerToken).equals(auth)) {
            int slash = path.indexOf("/manifests/") >= 0 ? path.indexOf("/manifests/") : path.indexOf("/blobs/");
            String repo = slash > 0 ? path.substring(0, slash) : "";
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
                    + "/token\",service=\"fake-registry\",scope=\"repository:" + repo + ":pull\"");
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8), "application/json");
            return;
        }
        if (basicUserPass != null && !("Basic " + b64(basicUserPass)).equals(auth)) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
            send(ex, 401, new byte[0], "application/json");
            return;
        }
        int m = path.indexOf("/manifests/");
        if (m > 0) {
            Manifest man = manifests.get(path.substring(0, m) + "/" + path.substring(m + "/manifests/".length()));
            if (man == null) {
                send(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"
                        .getBytes(StandardCharsets.UTF_8), "application/json");
                return;
            }
            if (!headWithoutDigest) {
                ex.getResponseHeaders().add("Docker-Content-Digest", Digest.of(man.body()).toString());
            }
            send(ex, 200, man.body(), man.mediaType());
            return;
        }
        int b = path.indexOf("/blobs/");
        if (b > 0) {
            String digest = path.substring(b + "/blobs/".length());
            byte[] content = blobs.get(digest);
            if (content == null) {
                send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}"
                        .getBytes(StandardCharsets.UTF_8), "application/json");
                return;
            }
            content = corruptBlobs.getOrDefault(digest, content);
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                if (blobDelayMillis > 0) Thread.sleep(blobDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            long from = 0;
            if (range != null && !ignoreRange && range.startsWith("bytes=")) {
                from = Long.parseLong(range.substring(6, range.indexOf('-')));
            }
            int status = from > 0 ? 206 : 200;
            if (from > 0) {
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            }
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().add("Docker-Content-Digest", digest);
            int len = (int) (content.length - from);
            ex.sendResponseHeaders(status, len);
            long cut = disconnectBlobAfter;
            long stall = stallBlobAfter;
            OutputStream out = ex.getResponseBody();
            if (cut >= 0 && cut < len) {
                disconnectBlobAfter = -1;
                out.write(content, (int) from, (int) cut);
                out.flush();
                blobBytesSent.addAndGet(cut);
                // Escaping the handler makes the JDK server drop the connection mid-body.
                throw new IOException("simulated disconnect after " + cut + " bytes");
            }
            if (stall >= 0 && stall < len) {
                stallBlobAfter = -1;
                out.write(content, (int) from, (int) stall);
                out.flush();
                blobBytesSent.addAndGet(stall);
                try {
                    Thread.sleep(stallMillis); // a registry that stops sending but keeps the connection
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("simulated stall");
            }
            out.write(content, (int) from, len);
            blobBytesSent.addAndGet(len);
            out.close();
            return;
        }
        send(ex, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static void send(HttpExchange ex, int status, byte[] body, String contentType) throws IOException {
        ex.getResponseHeaders().add("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    public long count(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
