package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.MediaTypes;
import io.jcontainerd.content.store.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hosts.toml's "ca" and "skip_verify" against an HTTPS registry with a self-signed certificate. */
class RegistryTlsTest {

    /** Key stores made once per class (keytool is a JVM start each): SAN variant → directory. */
    private static Path keys;

    private final Path dir = Files.createTempDirectory("jcd-tls-");
    private FakeRegistry registry;

    RegistryTlsTest() throws Exception {
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        keys = Files.createTempDirectory("jcd-tls-keys-");
        for (String san : List.of("ip:127.0.0.1", "dns:other.example")) {
            Path d = Files.createDirectories(keys.resolve(san.replace(':', '_')));
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Path ks = d.resolve("ks.p12");
            run(keytool.toString(), "-genkeypair", "-alias", "reg", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=test-registry", "-ext", "SAN=" + san, "-validity", "2",
                    "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
            run(keytool.toString(), "-exportcert", "-rfc", "-alias", "reg", "-keystore", ks.toString(),
                    "-storepass", "changeit", "-file", d.resolve("cert.pem").toString());
        }
    }

    @AfterAll
    static void removeCertificates() throws Exception {
        TempDirs.deleteRecursively(keys);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (registry != null) registry.close();
        TempDirs.deleteRecursively(dir);
    }

    /** A registry whose certificate names {@code san} (keytool's -ext SAN=…); its PEM goes to dir/cert.pem. */
    private void startRegistry(String san) throws Exception {
        Path d = keys.resolve(san.replace(':', '_'));
        Path ks = d.resolve("ks.p12");
        Files.copy(d.resolve("cert.pem"), dir.resolve("cert.pem"));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        registry = new FakeRegistry(ctx);
        registry.addManifest("lib/app", "v1", MediaTypes.OCI_MANIFEST,
                "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(cmd), out).isZero();
    }

    private Descriptor resolveWith(String hostOptions) throws Exception {
        Path certs = dir.resolve("certs.d");
        Files.createDirectories(certs.resolve(registry.host()));
        Files.copy(dir.resolve("cert.pem"), certs.resolve(registry.host()).resolve("ca.pem"));
        Files.writeString(certs.resolve(registry.host()).resolve("hosts.toml"),
                "server = \"https://" + registry.host() + "\"\n" + hostOptions);
        RegistryClient c = RegistryClient.builder().hostsDir(certs)
                .retry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2))).build();
        return c.resolve(ImageReference.parse(registry.host() + "/lib/app:v1"));
    }

    @Test
    void trustsARegistryWhoseCaIsConfigured() throws Exception {
        startRegistry("ip:127.0.0.1");
        assertThat(resolveWith("ca = \"ca.pem\"\n").mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void refusesAnUntrustedCertificateWithAHintAndWithoutRetrying() throws Exception {
        startRegistry("ip:127.0.0.1");
        assertThatThrownBy(() -> resolveWith(""))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("TLS handshake with registry https://" + registry.host())
                .hasMessageContaining("skip_verify");
        assertThat(registry.requests).isEmpty();
    }

    @Test
    void stillChecksTheHostNameWhenTheCaIsTrusted() throws Exception {
        startRegistry("dns:other.example");
        assertThatThrownBy(() -> resolveWith("ca = \"ca.pem\"\n"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("TLS handshake");
    }

    @Test
    void skipVerifyAcceptsAnyCertificateForThatHostOnly() throws Exception {
        startRegistry("dns:other.example");
        assertThat(resolveWith("skip_verify = true\n").mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }
}
