package io.jcontainerd.content.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.MediaTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The push side against registries that misbehave, and the login check against Basic and Bearer registries. */
class RegistryPusherTest {
    private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
    private static final Descriptor LAYER = new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, Digest.of(BLOB), BLOB.length);
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void anUploadLocationThatIsNotHttpIsNotFollowed() throws Exception {
        HttpServer r = registry(ex -> respond(ex, 202, Map.of("Location", "file:///etc/passwd")));
        assertThatThrownBy(() -> pusher(r).upload(LAYER, () -> new ByteArrayInputStream(BLOB), n -> { }))
                .isInstanceOf(JcdException.class).hasMessageContaining("a file upload location")
                .hasMessageContaining("only http and https are followed");
    }

    @Test
    void anOversizedUploadLocationIsRefused() throws Exception {
        HttpServer r = registry(ex -> respond(ex, 202, Map.of("Location", "/v2/x/" + "a".repeat(10_000))));
        assertThatThrownBy(() -> pusher(r).upload(LAYER, () -> new ByteArrayInputStream(BLOB), n -> { }))
                .hasMessageContaining("10006-character upload location");
    }

    @Test
    void credentialsAreNotSentToAnUploadLocationOfAnotherOrigin() throws Exception {
        List<String> elsewhere = new CopyOnWriteArrayList<>();
        HttpServer other = server(ex -> {
            elsewhere.add(ex.getRequestMethod() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            ex.getRequestBody().readAllBytes();
            respond(ex, 201, Map.of());
        });
        HttpServer r = registry(ex -> {
            if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                respond(ex, 401, Map.of("WWW-Authenticate", "Basic realm=\"test\""));
            } else {
                respond(ex, 202, Map.of("Location", "http://127.0.0.1:" + other.getAddress().getPort() + "/upload/1"));
            }
        });
        RegistryClient client = client(r).withCredentials(h -> Optional.of(new Credentials("u", "secret")));
        client.pusher(ImageReference.parse(host(r) + "/x/bb:latest")).upload(LAYER, () -> new ByteArrayInputStream(BLOB), n -> { });
        assertThat(authorizations).contains("POST Basic " + Base64.getEncoder().encodeToString("u:secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(elsewhere).containsExactly("PUT auth=null");
    }

    @Test
    void aRegistryThatStoresAnotherManifestDigestIsAnError() throws Exception {
        HttpServer r = registry(ex -> {
            ex.getRequestBody().readAllBytes();
            respond(ex, 201, Map.of("Docker-Content-Digest", "sha256:" + "0".repeat(64)));
        });
        assertThatThrownBy(() -> pusher(r).putManifest("latest", MediaTypes.DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JcdException.class).hasMessageContaining("it rewrote the manifest");
    }

    @Test
    void aFailedUploadIsBegunAgainInANewSessionAndThenGivenUp() throws Exception {
        HttpServer r = registry(ex -> respond(ex, 503, Map.of()));
        assertThatThrownBy(() -> pusher(r).upload(LAYER, () -> new ByteArrayInputStream(BLOB), n -> { }))
                .isInstanceOf(JcdException.class).satisfies(e -> assertThat(((JcdException) e).kind()).isEqualTo(ErrorKind.UNAVAILABLE))
                .hasMessageContaining("failed after 3 attempts");
        assertThat(authorizations).hasSize(3).allMatch(a -> a.startsWith("POST "));
    }

    @Test
    void loginIsAcceptedOrRefusedByABasicRegistry() throws Exception {
        String good = "Basic " + Base64.getEncoder().encodeToString("u:right".getBytes(StandardCharsets.UTF_8));
        HttpServer r = registry(ex -> respond(ex, good.equals(ex.getRequestHeaders().getFirst("Authorization")) ? 200 : 401,
                Map.of("WWW-Authenticate", "Basic realm=\"test\"")));
        RegistryClient client = client(r);
        client.login(host(r), new Credentials("u", "right"));
        assertThatThrownBy(() -> client.login(host(r), new Credentials("u", "wrong")))
                .satisfies(e -> assertThat(RegistryClient.credentialsRefused(e)).isTrue())
                .hasMessageContaining("401 Unauthorized").hasMessageNotContaining("wrong");
    }

    @Test
    void loginIsCheckedByTheTokenServerOfABearerRegistry() throws Exception {
        String good = "Basic " + Base64.getEncoder().encodeToString("u:right".getBytes(StandardCharsets.UTF_8));
        HttpServer tokens = server(ex -> {
            boolean ok = good.equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ok ? "{\"token\":\"t1\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
            ex.sendResponseHeaders(ok ? 200 : 401, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        String realm = "http://127.0.0.1:" + tokens.getAddress().getPort() + "/token";
        HttpServer r = registry(ex -> respond(ex, "Bearer t1".equals(ex.getRequestHeaders().getFirst("Authorization")) ? 200 : 401,
                Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"test\"")));
        client(r).login(host(r), new Credentials("u", "right"));
        assertThatThrownBy(() -> client(r).login(host(r), new Credentials("u", "wrong")))
                .satisfies(e -> assertThat(RegistryClient.credentialsRefused(e)).isTrue());
    }

    @Test
    void aMountAnswered201SendsNothingAndNamesTheSourceInTheRequest() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer r = registry(ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery());
            respond(ex, 201, Map.of("Location", "/v2/x/bb/blobs/" + LAYER.digest()));
        });
        assertThat(pusher(r).mount(LAYER, "library/busybox", () -> {
            throw new AssertionError("a mounted blob is not read");
        }, n -> { })).isEqualTo(RegistryPusher.Mount.MOUNTED);
        assertThat(requests).containsExactly("POST /v2/x/bb/blobs/uploads/?mount=" + LAYER.digest().toString().replace(":", "%3A")
                + "&from=library%2Fbusybox");
    }

    @Test
    void aMountAnswered202IsUploadedThroughTheSessionItOpened() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        HttpServer r = registry(ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
            if (ex.getRequestMethod().equals("POST")) {
                respond(ex, 202, Map.of("Location", "/v2/x/bb/blobs/uploads/session-1"));
            } else {
                bodies.add(ex.getRequestBody().readAllBytes());
                respond(ex, 201, Map.of());
            }
        });
        assertThat(pusher(r).mount(LAYER, "gone/repo", () -> new ByteArrayInputStream(BLOB), n -> { }))
                .isEqualTo(RegistryPusher.Mount.UPLOADED);
        assertThat(requests).containsExactly("POST /v2/x/bb/blobs/uploads/", "PUT /v2/x/bb/blobs/uploads/session-1");
        assertThat(bodies).singleElement().isEqualTo(BLOB);
    }

    @Test
    void aMountRefusedOtherwiseLeavesTheBlobToAnUpload() throws Exception {
        HttpServer r = registry(ex -> respond(ex, 405, Map.of()));
        assertThat(pusher(r).mount(LAYER, "library/busybox", () -> new ByteArrayInputStream(BLOB), n -> { }))
                .isEqualTo(RegistryPusher.Mount.NOT_MOUNTED);
    }

    @Test
    void aMountsTokenIsAskedForBothRepositoriesAsTwoScopes() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer tokens = server(ex -> {
            asked.add(ex.getRequestURI().getRawQuery());
            byte[] body = "{\"token\":\"t2\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        });
        String realm = "http://127.0.0.1:" + tokens.getAddress().getPort() + "/token";
        HttpServer r = registry(ex -> {
            if (!"Bearer t2".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                respond(ex, 401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"test\""));
            } else {
                respond(ex, 201, Map.of());
            }
        });
        assertThat(pusher(r).mount(LAYER, "src/bb", () -> new ByteArrayInputStream(BLOB), n -> { })).isEqualTo(RegistryPusher.Mount.MOUNTED);
        assertThat(asked).singleElement().asString().contains("scope=repository%3Ax%2Fbb%3Apull%2Cpush&scope=repository%3Asrc%2Fbb%3Apull");
    }

    private RegistryPusher pusher(HttpServer r) {
        return client(r).pusher(ImageReference.parse(host(r) + "/x/bb:latest"));
    }

    private RegistryClient client(HttpServer r) {
        RegistryHost h = new RegistryHost(URI.create("http://" + host(r) + "/v2"), host(r), EnumSet.allOf(HostCapability.class),
                false, List.of(), Map.of());
        return RegistryClient.builder().hosts(name -> List.of(h)).retry(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(10)))
                .build();
    }

    private static String host(HttpServer s) {
        return "127.0.0.1:" + s.getAddress().getPort();
    }

    /** A registry whose every request is recorded ("METHOD authorization") and answered by {@code handler}. */
    private HttpServer registry(Handler handler) throws IOException {
        return server(ex -> {
            authorizations.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            handler.handle(ex);
        });
    }

    private HttpServer server(Handler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            try {
                handler.handle(ex);
            } finally {
                ex.close();
            }
        });
        s.start();
        servers.add(s);
        return s;
    }

    private static void respond(HttpExchange ex, int status, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(status, -1);
    }

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }
}
