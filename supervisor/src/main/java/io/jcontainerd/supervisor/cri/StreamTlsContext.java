package io.jcontainerd.supervisor.cri;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.supervisor.tls.SelfSignedCertificate;
import io.jcontainerd.supervisor.tls.TlsFiles;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The streaming server's TLS, as containerd's CRI sets it up: off by default; with
 * {@code enable_tls_streaming} the configured key pair, else a self-signed certificate made at start
 * for the host name, {@code localhost}, loopback and the bind address.
 */
final class StreamTlsContext {
    private static final Logger LOG = Logger.getLogger(StreamTlsContext.class.getName());

    private StreamTlsContext() {
    }

    /** The context for {@code cri}'s streaming server; null when it speaks plain HTTP. */
    static SslContext of(DaemonConfig.CriConfig cri) {
        DaemonConfig.StreamTls tls = cri.streamTls();
        if (!tls.enabled()) {
            return null;
        }
        if (!tls.selfSigned()) {
            return TlsFiles.serverContext("cri.x509_key_pair_streaming.tls_cert_file", tls.certFile(),
                    "cri.x509_key_pair_streaming.tls_key_file", tls.keyFile(), null, null);
        }
        String host = hostName();
        List<InetAddress> addresses = new ArrayList<>(List.of(InetAddress.getLoopbackAddress()));
        if (cri.streamServerAddress().matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            try {
                InetAddress bind = InetAddress.getByName(cri.streamServerAddress()); // an IP literal: no lookup
                if (!addresses.contains(bind)) {
                    addresses.add(bind);
                }
            } catch (UnknownHostException e) {
                // not a literal after all: only the names below
            }
        }
        SelfSignedCertificate cert = SelfSignedCertificate.make(host, host.equals("localhost") ? List.of("localhost") : List.of(host, "localhost"),
                addresses);
        LOG.info(() -> "CRI streaming server: TLS with a self-signed certificate for " + host + " (no [cri.x509_key_pair_streaming] given)");
        return cert.serverContext();
    }

    /** The kernel's host name (no DNS lookup), "localhost" when it cannot be read. */
    private static String hostName() {
        try {
            String h = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() || h.length() > 64 ? "localhost" : h;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
