package io.jcontainerd.supervisor.tls;

import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.jcontainerd.config.errdefs.JcdException;

import javax.net.ssl.SSLException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files of a TLS listener (the Docker API's, read as dockerd reads its --tlscert, --tlskey and
 * --tlscacert; the CRI streaming server's): certificates (one or a chain) and an unencrypted private
 * key (PKCS#8, or PKCS#1 RSA).
 * Every file is a regular file of at most 1 MiB; the key must be readable by its owner only.
 */
public final class TlsFiles {
    private static final long MAX_BYTES = 1 << 20;
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private TlsFiles() {
    }

    /**
     * A server's TLS context (TLS 1.3 and 1.2) with the certificate chain of {@code certFile} and the
     * key of {@code keyFile} (config keys {@code certKey}, {@code keyKey}, named in every error); with
     * {@code caFile} (config key {@code caKey}) a client certificate chaining to it is required.
     */
    public static SslContext serverContext(String certKey, Path certFile, String keyKey, Path keyFile, String caKey, Path caFile) {
        List<X509Certificate> chain = certificates(certKey, certFile);
        PrivateKey key = privateKey(keyKey, keyFile);
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain).sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (caFile != null) {
                b.trustManager(certificates(caKey, caFile)).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw JcdException.invalidArgument("%s = %s with %s = %s: %s (is the key the certificate's?)",
                    certKey, certFile, keyKey, keyFile, e.getMessage());
        }
    }

    /** The certificates of {@code file} (config key {@code key}), in file order; at least one. */
    public static List<X509Certificate> certificates(String key, Path file) {
        String text = read(key, file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(text)) {
                if (b.type().equals("CERTIFICATE")) {
                    out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw JcdException.invalidArgument("%s = %s: a certificate in it cannot be read: %s", key, file, e.getMessage());
        }
        if (out.isEmpty()) {
            throw JcdException.invalidArgument("%s = %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", key, file);
        }
        return out;
    }

    /** The private key of {@code file}; refused if the file is readable (or writable) by group or others. */
    public static PrivateKey privateKey(String key, Path file) {
        String text = read(key, file);
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> extra = EnumSet.copyOf(NOT_OWNER);
            extra.retainAll(mode);
            if (!extra.isEmpty()) {
                throw JcdException.invalidArgument("%s = %s is open to group or others (mode %s): a private key must be readable by its"
                        + " owner only; run chmod 600 %s", key, file, PosixFilePermissions.toString(mode), file);
            }
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s = %s: cannot read its mode: %s", key, file, e.getMessage());
        }
        for (Block b : blocks(text)) {
            switch (b.type()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(key, file, b.der());
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(key, file, rsaPkcs1ToPkcs8(b.der()));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw JcdException.invalidArgument(
                        "%s = %s is encrypted (a passphrase cannot be asked for at start): decrypt it with"
                                + " openssl pkcs8 -in %s -out <new file> and chmod 600 that", key, file, file);
                case "EC PRIVATE KEY" -> throw JcdException.invalidArgument(
                        "%s = %s is an SEC1 EC key: convert it to PKCS#8 with openssl pkcs8 -topk8 -nocrypt -in %s -out <new file>",
                        key, file, file);
                default -> {
                    // certificates or parameters beside the key are skipped
                }
            }
        }
        throw JcdException.invalidArgument("%s = %s holds no PEM private key (-----BEGIN PRIVATE KEY----- or RSA PRIVATE KEY)", key, file);
    }

    private static PrivateKey pkcs8(String key, Path file, byte[] der) {
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw JcdException.invalidArgument("%s = %s: the private key is none of RSA, EC, Ed25519, Ed448 (or is damaged)", key, file);
    }

    /** PrivateKeyInfo { 0, { rsaEncryption, NULL }, OCTET STRING pkcs1 } around a PKCS#1 RSAPrivateKey. */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] head = {0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[head.length + octets.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(octets, 0, body, head.length, octets.length);
        return der(0x30, body);
    }

    /** One DER element: {@code tag}, its definite length (up to 16 MiB), {@code content}. */
    static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[]{(byte) n}
                : n < 0x100 ? new byte[]{(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[]{(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[]{(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                // a damaged block is no block: reported as missing
            }
        }
        return out;
    }

    private static String read(String key, Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw JcdException.invalidArgument("%s = %s: %s", key, file, Files.exists(file) ? "not a regular file" : "no such file");
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw JcdException.invalidArgument("%s = %s is %d bytes: a PEM file of at most 1 MiB is expected", key, file, size);
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s = %s cannot be read: %s", key, file, e.getMessage());
        }
    }
}
