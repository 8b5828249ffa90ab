package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One java.net.http client per TLS configuration; HTTP/1.1 so parallel blobs get parallel connections. */
final class HttpTransport {

    private record TlsKey(boolean skipVerify, List<Path> ca) {
    }

    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Map<TlsKey, HttpClient> clients = new ConcurrentHashMap<>();

    HttpTransport(Duration connectTimeout, Duration idleTimeout) {
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    HttpResponse<InputStream> send(RegistryHost host, HttpRequest request) throws IOException {
        return call(host, request, IdleTimeoutBody.handler(idleTimeout));
    }

    private <T> HttpResponse<T> call(RegistryHost host, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        try {
            return client(host).send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "request to " + request.uri() + " was interrupted", e);
        }
    }

    private HttpClient client(RegistryHost host) {
        TlsKey key = new TlsKey(host.skipVerify(), host.caCerts());
        return clients.computeIfAbsent(key, this::build);
    }

    private HttpClient build(TlsKey key) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (key.skipVerify() || !key.ca().isEmpty()) {
            b.sslContext(sslContext(key));
        }
        return b.build();
    }

    private static SSLContext sslContext(TlsKey key) {
        try {
            TrustManager[] tms;
            if (key.skipVerify()) {
                tms = new TrustManager[]{new TrustEverything()};
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                // the system's roots plus the configured CAs, as containerd appends to the system pool
                TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                sys.init((KeyStore) null);
                int i = 0;
                for (TrustManager tm : sys.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        for (X509Certificate c : x.getAcceptedIssuers()) ks.setCertificateEntry("sys" + i++, c);
                    }
                }
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (Path p : key.ca()) {
                    try (InputStream in = Files.newInputStream(p)) {
                        for (Certificate c : cf.generateCertificates(in)) ks.setCertificateEntry("ca" + i++, c);
                    } catch (IOException e) {
                        throw JcdException.invalidArgument("cannot read CA certificate %s named in hosts.toml: %s", p, e);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                tms = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tms, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw JcdException.invalidArgument("cannot set up TLS with CA files %s: %s", key.ca(), e);
        }
    }

    /**
     * hosts.toml skip_verify: the user chose to trust this endpoint blindly. An *extended* trust
     * manager, because JSSE wraps a plain one and still checks the host name; this way the choice
     * stays per host instead of a JVM-wide "no host name checks" switch.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
