package io.jcontainerd.supervisor.tls;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PEM files of the Docker API's TLS listener: the key forms read, and every refusal naming the option and the fix. */
class TlsFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsPkcs8RsaAndEcKeysAndTraditionalPkcs1RsaKeys() throws Exception {
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey r = rsa.generateKeyPair().getPrivate();
        var ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey e = ec.generateKeyPair().getPrivate();

        assertThat(TlsFiles.privateKey("docker.tls_key", pem("rsa8.pem", "PRIVATE KEY", r.getEncoded())).getEncoded()).isEqualTo(r.getEncoded());
        assertThat(TlsFiles.privateKey("docker.tls_key", pem("ec8.pem", "PRIVATE KEY", e.getEncoded())).getAlgorithm()).isEqualTo("EC");
        // PKCS#8 for RSA is the 26-byte head (outer SEQUENCE, version, algorithm, OCTET STRING headers) around PKCS#1
        byte[] p8 = r.getEncoded();
        byte[] pkcs1 = Arrays.copyOfRange(p8, 26, p8.length);
        assertThat(TlsFiles.rsaPkcs1ToPkcs8(pkcs1)).isEqualTo(p8);
        assertThat(TlsFiles.privateKey("docker.tls_key", pem("rsa1.pem", "RSA PRIVATE KEY", pkcs1)).getEncoded()).isEqualTo(p8);
    }

    @Test
    void refusesAKeyOpenToGroupOrOthersAnEncryptedKeyAndFilesWithoutPem() throws Exception {
        Path open = pem("open.pem", "PRIVATE KEY", new byte[]{1, 2, 3});
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> TlsFiles.privateKey("docker.tls_key", open)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("docker.tls_key = " + open + " is open to group or others (mode rw-r-----)")
                .hasMessageContaining("chmod 600 " + open);
        assertThatThrownBy(() -> TlsFiles.privateKey("docker.tls_key", pem("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[]{1})))
                .hasMessageContaining("is encrypted").hasMessageContaining("openssl pkcs8");
        assertThatThrownBy(() -> TlsFiles.privateKey("docker.tls_key", pem("sec1.pem", "EC PRIVATE KEY", new byte[]{1})))
                .hasMessageContaining("SEC1 EC key").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> TlsFiles.privateKey("docker.tls_key", pem("junk.pem", "PRIVATE KEY", new byte[]{1, 2, 3})))
                .hasMessageContaining("none of RSA, EC, Ed25519, Ed448");
        assertThatThrownBy(() -> TlsFiles.privateKey("docker.tls_key", dir.resolve("missing.pem"))).hasMessageContaining("no such file");
        assertThatThrownBy(() -> TlsFiles.certificates("docker.tls_ca", pem("nocert.pem", "PRIVATE KEY", new byte[]{1})))
                .hasMessageContaining("docker.tls_ca = ").hasMessageContaining("holds no PEM certificate");
        Path big = dir.resolve("big.pem");
        Files.write(big, new byte[(1 << 20) + 1]);
        assertThatThrownBy(() -> TlsFiles.certificates("docker.tls_cert", big)).hasMessageContaining("a PEM file of at most 1 MiB");
    }

    private Path pem(String name, String type, byte[] der) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }
}
