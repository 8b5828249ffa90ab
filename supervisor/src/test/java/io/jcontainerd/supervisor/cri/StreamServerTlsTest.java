package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * containerd's {@code enable_tls_streaming}: the streaming server over TLS, with a configured key pair
 * (made by openssl here) or a self-signed certificate of its own; a client that verifies the
 * certificate (and the host, 127.0.0.1) runs an exec stream over wss.
 */
class StreamServerTlsTest {
    @TempDir
    Path dir;
    private StreamServer server;

    /** Echoes what arrives on stdin (channel 0) to stdout (channel 1), as {@code cat} would. */
    private final StreamServer.Handlers echo = ExecOnly.handlers((request, connection) -> {
        BlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        byte[] end = new byte[0];
        connection.start(new ChannelConnection.Listener() {
            @Override
            public void data(int channel, byte[] data) {
                stdin.add(data); // on the event loop: hand over, never block
            }

            @Override
            public void streamClosed(int channel) {
                stdin.add(end);
            }

            @Override
            public void closed() {
                stdin.add(end);
            }
        });
        try {
            for (byte[] b = stdin.take(); b != end; b = stdin.take()) {
                connection.send(ContainerStreams.STDOUT, b, 0, b.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            // the client went away
        }
    });

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static DaemonConfig.CriConfig cri(DaemonConfig.StreamTls tls) {
        DaemonConfig.CriConfig d = DaemonConfig.CriConfig.DEFAULT;
        return new DaemonConfig.CriConfig(d.sandboxImage(), "127.0.0.1", 0, d.streamIdleTimeout(), tls, true, false);
    }

    private String execUrl() {
        return server.execUrl(ExecRequest.newBuilder().setContainerId("c1").addCmd("cat").setStdin(true).setStdout(true).build());
    }

    @Test
    void aConfiguredKeyPairServesExecOverWssToAClientThatTrustsOnlyThatCertificate() throws Exception {
        Cli.requireTool("/usr/bin/openssl", "openssl");
        Cli.Result r = Cli.run(List.of("/bin/sh", "-ec", "cd " + dir + "\n"
                + "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem -days 2"
                + " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost\nchmod 600 key.pem"), Map.of(), 60);
        assertThat(r.exit()).as("openssl: %s", r).isZero();
        server = StreamServer.start("127.0.0.1", 0, Duration.ZERO,
                StreamTlsContext.of(cri(new DaemonConfig.StreamTls(true, dir.resolve("cert.pem"), dir.resolve("key.pem")))), echo, Clock.systemUTC());
        assertThat(server.base()).startsWith("https://127.0.0.1:");

        X509Certificate cert;
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        try (K8sStreamClient client = K8sStreamClient.connect(execUrl(), "v4.channel.k8s.io", trusting(cert))) {
            client.send(0, "over tls\n");
            assertThat(client.await(1, t -> t.contains("over tls"))).isEqualTo("over tls\n");
        }
    }

    @Test
    void withoutAKeyPairASelfSignedCertificateForTheHostAndLoopbackIsMade() throws Exception {
        server = StreamServer.start("127.0.0.1", 0, Duration.ZERO, StreamTlsContext.of(cri(new DaemonConfig.StreamTls(true, null, null))),
                echo, Clock.systemUTC());
        X509Certificate presented = presentedCertificate(URI.create(server.base()));
        assertThat(presented.getSubjectX500Principal()).isEqualTo(presented.getIssuerX500Principal());
        presented.verify(presented.getPublicKey());
        assertThat(presented.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        assertThat(presented.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        try (K8sStreamClient client = K8sStreamClient.connect(execUrl(), "v4.channel.k8s.io", trusting(presented))) {
            client.send(0, "self-signed\n");
            assertThat(client.await(1, t -> t.contains("self-signed"))).isEqualTo("self-signed\n");
        }
    }

    @Test
    void aPlainHttpClientGetsNoStreamFromATlsServer() throws Exception {
        server = StreamServer.start("127.0.0.1", 0, Duration.ZERO, StreamTlsContext.of(cri(new DaemonConfig.StreamTls(true, null, null))),
                echo, Clock.systemUTC());
        assertThatThrownBy(() -> K8sStreamClient.connect(execUrl().replaceFirst("^https", "http"), "v4.channel.k8s.io"))
                .isInstanceOfAny(java.util.concurrent.ExecutionException.class, java.io.IOException.class);
    }

    @Test
    void tlsIsOffByDefault() {
        assertThat(StreamTlsContext.of(DaemonConfig.CriConfig.DEFAULT)).isNull();
    }

    /** A client whose only trusted certificate is {@code cert} (host names still verified). */
    private static HttpClient trusting(X509Certificate cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    /** The certificate the server presents, read as {@code openssl s_client} would, trusting nothing yet. */
    private static X509Certificate presentedCertificate(URI base) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // only to read the chain; the exec stream afterwards verifies it
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(base.getHost(), base.getPort())) {
            s.setSoTimeout(60_000);
            s.startHandshake();
            Certificate[] chain = s.getSession().getPeerCertificates();
            assertThat(chain).hasSize(1);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return (X509Certificate) chain[0];
        }
    }
}
