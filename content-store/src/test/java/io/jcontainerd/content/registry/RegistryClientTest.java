package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.MediaTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryClientTest {

    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

    private FakeRegistry registry;
    private byte[] manifest;
    private Digest manifestDigest;
    private byte[] blob;
    private Digest blobDigest;
    private Path tmp;

    @BeforeEach
    void start() throws IOException {
        registry = new FakeRegistry();
        blob = new byte[300_000];
        new Random(1).nextBytes(blob);
        blobDigest = registry.addBlob(blob);
        manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + blobDigest + "\",\"size\":" + blob.length + "},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        manifestDigest = registry.addManifest("lib/app", "v1", MediaTypes.OCI_MANIFEST, manifest);
        tmp = Files.createTempDirectory("jcd-registry-test-");
    }

    @AfterEach
    void stop() throws IOException {
        registry.close();
        io.jcontainerd.content.store.TempDirs.deleteRecursively(tmp);
    }

    private RegistryClient client() {
        return client(CredentialStore.none());
    }

    private RegistryClient client(CredentialStore creds) {
        return RegistryClient.builder().credentials(creds).retry(FAST).idleTimeout(Duration.ofMillis(500)).build();
    }

    private ImageReference ref(String s) {
        return ImageReference.parse(registry.host() + "/" + s);
    }

    private Descriptor blobDesc() {
        return new Descriptor(MediaTypes.OCI_LAYER_GZIP, blobDigest, blob.length);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void resolvesATagWithAHeadRequest() {
        Descriptor d = client().resolve(ref("lib/app:v1"));
        assertThat(d.digest()).isEqualTo(manifestDigest);
        assertThat(d.size()).isEqualTo(manifest.length);
        assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(registry.requests).containsExactly("HEAD /v2/lib/app/manifests/v1");
    }

    @Test
    void fallsBackToGetWhenHeadCarriesNoDigest() {
        registry.headWithoutDigest = true;
        Descriptor d = client().resolve(ref("lib/app:v1"));
        assertThat(d.digest()).isEqualTo(manifestDigest);
        assertThat(registry.requests).containsExactly("HEAD /v2/lib/app/manifests/v1", "GET /v2/lib/app/manifests/v1");
    }

    @Test
    void resolvesADigestReference() {
        Descriptor d = client().resolve(ref("lib/app@" + manifestDigest));
        assertThat(d.digest()).isEqualTo(manifestDigest);
    }

    @Test
    void anUnknownTagIsNotFoundNamingTheReferenceAndRegistry() {
        assertThatThrownBy(() -> client().resolve(ref("lib/app:nope")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(registry.host() + "/lib/app:nope")
                .hasMessageContaining("registry " + registry.host());
    }

    @Test
    void anUnknownRepositoryIsNotFound() {
        assertThatThrownBy(() -> client().resolve(ref("no/such:latest")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no/such");
    }

    @Test
    void getsAnAnonymousBearerTokenOnceAndReusesIt() throws IOException {
        registry.bearerToken = "tok123";
        RegistryClient c = client();
        Descriptor d = c.resolve(ref("lib/app:v1"));
        assertThat(readAll(c.fetcher(ref("lib/app:v1")).fetch(d))).isEqualTo(manifest);
        assertThat(readAll(c.fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
        assertThat(registry.requests).filteredOn(r -> r.startsWith("GET /token")).singleElement()
                .asString().contains("service=fake-registry").contains("scope=repository%3Alib%2Fapp%3Apull");
    }

    @Test
    void refusesATokenResponseLargerThanTheLimitWithoutReadingItAll() {
        registry.bearerToken = "tok";
        registry.tokenResponse = ("{\"token\":\"tok\",\"pad\":\"" + "x".repeat(TokenResponse.MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client().resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("token response").hasMessageContaining("larger than the 1048576 byte limit");
    }

    @Test
    void refusesATokenThatCannotGoIntoAnAuthorizationHeader() {
        registry.bearerToken = "tok";
        registry.tokenResponse = "{\"token\":\"tok\\r\\nX-Evil: 1\",\"expires_in\":1e400}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client().resolve(ref("lib/app:v1")))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("characters a bearer token cannot hold");
    }

    @Test
    void sendsCredentialsToTheTokenServer() {
        registry.bearerToken = "tok";
        registry.tokenServerBasic = "alice:secret";
        assertThatThrownBy(() -> client().resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("requires authentication")
                .hasMessageContaining("no credentials are configured");
        RegistryClient withLogin = client(CredentialStore.of(Map.of(registry.host(), new Credentials("alice", "secret"))));
        assertThat(withLogin.resolve(ref("lib/app:v1")).digest()).isEqualTo(manifestDigest);
    }

    @Test
    void anIdentityTokenIsPostedToTheTokenServerAsAnOAuthRefreshToken() throws IOException {
        registry.bearerToken = "access-tok";
        registry.tokenServerRefreshToken = "refresh-me";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), new Credentials("", "refresh-me"))));
        assertThat(readAll(c.fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
        assertThat(registry.tokenForms).first().asString().startsWith("grant_type=refresh_token&refresh_token=refresh-me&client_id=jcontainerd")
                .contains("service=fake-registry").contains("scope=repository%3Alib%2Fapp%3Apull");
        assertThat(registry.requests).noneMatch(r -> r.startsWith("GET /token"));
    }

    @Test
    void anIdentityTokenFallsBackToTheGetWhenTheTokenServerTakesNoPostAndIsDeniedWhenRefused() {
        registry.bearerToken = "access-tok";
        registry.tokenServerNoPost = true;
        registry.tokenServerBasic = ":idt";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), new Credentials("", "idt"))));
        assertThat(c.resolve(ref("lib/app:v1")).digest()).isEqualTo(manifestDigest);
        assertThat(registry.requests).anyMatch(r -> r.startsWith("POST /token")).anyMatch(r -> r.startsWith("GET /token"));

        registry.tokenServerNoPost = false;
        registry.tokenServerRefreshToken = "the-right-one";
        RegistryClient wrong = client(CredentialStore.of(Map.of(registry.host(), new Credentials("", "wrong-idt"))));
        assertThatThrownBy(() -> wrong.resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("registry " + registry.host() + " refused the configured credentials")
                .hasMessageNotContaining("wrong-idt");
    }

    @Test
    void sendsARegistryTokenAsItIsWithoutAskingTheTokenServer() throws IOException {
        registry.bearerToken = "registry-tok";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), Credentials.registryToken("registry-tok"))));
        assertThat(readAll(c.fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
        assertThat(registry.requests).noneMatch(r -> r.startsWith("GET /token"));
    }

    @Test
    void aRefusedRegistryTokenIsDeniedNamingTheRegistryWithoutFetchingAnotherToken() {
        registry.bearerToken = "the-right-one";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), Credentials.registryToken("wrong-tok"))));
        assertThatThrownBy(() -> c.resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("registry " + registry.host() + " refused the configured credentials")
                .hasMessageNotContaining("wrong-tok");
        assertThat(registry.requests).noneMatch(r -> r.startsWith("GET /token"));
        assertThatThrownBy(() -> Credentials.registryToken("tok\r\nX-Evil: 1"))
                .hasMessageContaining("printable ASCII without spaces").hasMessageNotContaining("Evil");
    }

    @Test
    void usesBasicAuthWhenTheRegistryAsksForIt() throws IOException {
        registry.basicUserPass = "bob:pw";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), new Credentials("bob", "pw"))));
        assertThat(readAll(c.fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
    }

    @Test
    void a401WithoutCredentialsIsAClearAuthError() {
        registry.basicUserPass = "bob:pw";
        assertThatThrownBy(() -> client().resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining(registry.host())
                .hasMessageContaining("401 Unauthorized")
                .hasMessageContaining("~/.docker/config.json");
    }

    @Test
    void wrongCredentialsAreReportedAsRefused() {
        registry.basicUserPass = "bob:pw";
        RegistryClient c = client(CredentialStore.of(Map.of(registry.host(), new Credentials("bob", "wrong"))));
        assertThatThrownBy(() -> c.resolve(ref("lib/app:v1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("refused the configured credentials");
    }

    @Test
    void retriesServerErrorsWithBackoff() {
        registry.failNext5xx.set(2);
        assertThat(client().resolve(ref("lib/app:v1")).digest()).isEqualTo(manifestDigest);
        assertThat(registry.count("HEAD /v2/lib/app/manifests/v1")).isEqualTo(3);
    }

    @Test
    void retriesTooManyRequests() throws IOException {
        registry.failNext429.set(1);
        assertThat(readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
    }

    @Test
    void givesUpOnPersistentServerErrorsAsUnavailable() {
        registry.failNext5xx.set(100);
        assertThatThrownBy(() -> client().resolve(ref("lib/app:v1")))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("503")
                .hasMessageContaining("4 attempts");
    }

    @Test
    void anUnreachableRegistryIsUnavailableAfterRetries() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ImageReference r = ImageReference.parse("127.0.0.1:" + port + "/a:b");
        assertThatThrownBy(() -> client().resolve(r))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("cannot reach registry http://127.0.0.1:" + port);
    }

    @Test
    void refusesABlobWhoseDigestDoesNotMatch() {
        byte[] evil = blob.clone();
        evil[1000] ^= 1;
        registry.corruptBlobs.put(blobDigest.toString(), evil);
        assertThatThrownBy(() -> readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc())))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("digest mismatch for " + blobDigest)
                .hasMessageContaining(Digest.of(evil).toString());
    }

    @Test
    void refusesABlobLargerThanItsDescriptor() {
        byte[] longer = Arrays.copyOf(blob, blob.length + 10);
        registry.corruptBlobs.put(blobDigest.toString(), longer);
        assertThatThrownBy(() -> readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc())))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("larger than its descriptor");
    }

    @Test
    void resumesADroppedDownloadWithRange() throws IOException {
        registry.disconnectBlobAfter = 100_000;
        assertThat(readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
        assertThat(registry.requests).contains("GET /v2/lib/app/blobs/" + blobDigest + " bytes=100000-");
        assertThat(registry.blobBytesSent.get()).isEqualTo(blob.length);
    }

    @Test
    void resumesADownloadThatStalls() throws IOException {
        registry.stallBlobAfter = 50_000;
        registry.stallMillis = 10_000;
        long t0 = System.nanoTime();
        assertThat(readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc()))).isEqualTo(blob);
        assertThat(registry.requests).contains("GET /v2/lib/app/blobs/" + blobDigest + " bytes=50000-");
        // resumed after the 500 ms idle timeout, not after the server's 10 s stall
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void fetchesFromAnOffsetWithRange() throws IOException {
        byte[] tail = readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc(), 250_000));
        assertThat(tail).isEqualTo(Arrays.copyOfRange(blob, 250_000, blob.length));
        assertThat(registry.requests).containsExactly("GET /v2/lib/app/blobs/" + blobDigest + " bytes=250000-");
    }

    @Test
    void skipsAheadWhenTheServerIgnoresRange() throws IOException {
        registry.ignoreRange = true;
        byte[] tail = readAll(client().fetcher(ref("lib/app:v1")).fetch(blobDesc(), 250_000));
        assertThat(tail).isEqualTo(Arrays.copyOfRange(blob, 250_000, blob.length));
    }

    @Test
    void aMissingBlobIsNotFound() {
        Descriptor missing = new Descriptor(MediaTypes.OCI_LAYER, Digest.of(new byte[]{1}), 1);
        assertThatThrownBy(() -> client().fetcher(ref("lib/app:v1")).fetch(missing))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(missing.digest().toString())
                .hasMessageContaining("BLOB_UNKNOWN");
    }

    @Test
    void triesMirrorsInOrderAndSkipsOneThatIsDown() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Path dir = tmp.resolve("docker.io");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hosts.toml"), """
                server = "https://127.0.0.1:%d"
                [host."http://127.0.0.1:%d"]
                  capabilities = ["pull", "resolve"]
                [host."http://%s"]
                  capabilities = ["pull", "resolve"]
                """.formatted(deadPort, deadPort, registry.host()));
        registry.addManifest("library/app", "v1", MediaTypes.OCI_MANIFEST, manifest);
        RegistryClient c = RegistryClient.builder().hostsDir(tmp).retry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2))).build();
        ImageReference r = ImageReference.parse("app:v1");
        Descriptor d = c.resolve(r);
        assertThat(d.digest()).isEqualTo(manifestDigest);
        assertThat(readAll(c.fetcher(r).fetch(d))).isEqualTo(manifest);
        assertThat(registry.requests).contains("HEAD /v2/library/app/manifests/v1");
    }

    @Test
    void aTagTheMirrorLacksIsNotFoundEvenWhenTheUpstreamCannotBeReached() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Path dir = tmp.resolve("docker.io");
        Files.createDirectories(dir);
        // The unreachable upstream is a closed loopback port: a test asks no DNS server anything.
        Files.writeString(dir.resolve("hosts.toml"), """
                server = "https://127.0.0.1:%d"
                [host."http://%s"]
                  capabilities = ["pull", "resolve"]
                """.formatted(deadPort, registry.host()));
        RegistryClient c = RegistryClient.builder().hostsDir(tmp).retry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2))).build();
        assertThatThrownBy(() -> c.resolve(ImageReference.parse("app:nope")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("docker.io/library/app:nope").hasMessageContaining("registry " + registry.host());
    }
}
