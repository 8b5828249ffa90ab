package io.jcontainerd.supervisor.tls;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming server's self-signed certificate: what it says, checked by the JDK and by openssl. */
class SelfSignedCertificateTest {
    @TempDir
    Path dir;

    @Test
    void namesTheHostAndItsAddressesIsSignedByItsOwnKeyAndServesServerAuthForAYear() throws Exception {
        SelfSignedCertificate c = SelfSignedCertificate.make("node-1", List.of("node-1", "localhost"),
                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")));
        var cert = c.certificate();
        cert.verify(c.keys().getPublic());
        cert.checkValidity(new Date());
        cert.checkValidity(new Date(System.currentTimeMillis() + 360L * 24 * 3600 * 1000));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=node-1");
        assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "node-1"), List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(cert.getVersion()).isEqualTo(3);

        Path pem = dir.resolve("c.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Cli.requireTool("/usr/bin/openssl", "openssl");
        Cli.Result r = Cli.run(List.of("openssl", "verify", "-CAfile", pem.toString(), "-purpose", "sslserver", pem.toString()), Map.of(), 60);
        assertThat(r.exit()).as("openssl verify: %s", r).isZero();
        assertThat(r.out()).contains(": OK");
    }

    @Test
    void eachCertificateHasItsOwnKeyAndSerial() {
        var a = SelfSignedCertificate.make("h", List.of("h"), List.of()).certificate();
        var b = SelfSignedCertificate.make("h", List.of("h"), List.of()).certificate();
        assertThat(a.getSerialNumber()).isNotEqualTo(b.getSerialNumber()).isPositive();
        assertThat(a.getPublicKey()).isNotEqualTo(b.getPublicKey());
    }
}
