package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Certificates made by openssl (P-256) for the Docker API on TCP with TLS, in {@code dir}: a CA
 * (ca.pem), a server certificate for 127.0.0.1 and localhost (server-cert.pem, server-key.pem), a
 * client certificate it signed (cert.pem, key.pem) and a client certificate of another CA
 * (rogue-cert.pem, rogue-key.pem). Keys are mode 600, as the daemon requires.
 */
record TlsCertificates(Path dir) {
    static TlsCertificates make(Path dir) {
        Cli.requireTool("/usr/bin/openssl", "openssl");
        sh(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca-key.pem",
                "openssl req -x509 -new -key ca-key.pem -subj /CN=jcd-test-ca -days 2 -out ca.pem",
                "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server-key.pem",
                "openssl req -new -key server-key.pem -subj /CN=localhost -out server.csr",
                "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext",
                "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem",
                "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
                "openssl req -new -key key.pem -subj /CN=client -out client.csr",
                "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
                "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem",
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue-ca-key.pem -subj /CN=rogue -days 2 -out rogue-ca.pem",
                "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rogue-key.pem",
                "openssl req -new -key rogue-key.pem -subj /CN=client -out rogue.csr",
                "openssl x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out rogue-cert.pem",
                "chmod 600 *key.pem");
        return new TlsCertificates(dir);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** The [docker] keys of a daemon serving the API on 127.0.0.1:{@code port} with TLS, verifying client certificates against ca.pem. */
    String dockerKeys(int port) {
        return """
                tcp = "127.0.0.1:%d"
                tls_cert = "%s"
                tls_key = "%s"
                tls_verify = true
                tls_ca = "%s"
                """.formatted(port, file("server-cert.pem"), file("server-key.pem"), file("ca.pem"));
    }

    /** A TCP port free on loopback now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sh(Path d, String... lines) {
        Cli.Result r = Cli.run(List.of("/bin/sh", "-ec", "cd " + d + "\n" + String.join("\n", lines)), Map.of(), 60);
        if (r.exit() != 0) {
            throw new AssertionError("making the test certificates failed: " + r);
        }
    }
}
