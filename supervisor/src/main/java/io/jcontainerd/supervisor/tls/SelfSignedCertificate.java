package io.jcontainerd.supervisor.tls;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.jcontainerd.config.errdefs.JcdException;

import javax.net.ssl.SSLException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A self-signed server certificate made in memory at start, as containerd's CRI makes one for its
 * streaming server when {@code enable_tls_streaming} is on and no key pair is configured: an EC P-256
 * key, {@code CN} the host name, the subject alternative names given, valid for one year from an hour
 * ago, for server authentication only. Nothing is written to disk.
 *
 * @param certificate the certificate (its own issuer)
 * @param keys        its key pair
 */
public record SelfSignedCertificate(X509Certificate certificate, KeyPair keys) {
    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
    private static final byte[] KEY_USAGE = {0x06, 0x03, 0x55, 0x1d, 0x0f};
    private static final byte[] EXT_KEY_USAGE = {0x06, 0x03, 0x55, 0x1d, 0x25};
    private static final byte[] SERVER_AUTH = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * @param commonName the subject's CN (the host name), at most 64 characters
     * @param dnsNames   DNS subject alternative names
     * @param addresses  IP subject alternative names
     */
    public static SelfSignedCertificate make(String commonName, List<String> dnsNames, List<InetAddress> addresses) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            String cn = commonName.length() > 64 ? commonName.substring(0, 64) : commonName;
            byte[] name = seq(set(seq(COMMON_NAME, TlsFiles.der(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
            Instant from = Instant.now().minusSeconds(3600);
            byte[] serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE).toByteArray();
            byte[] tbs = seq(
                    TlsFiles.der(0xa0, TlsFiles.der(0x02, new byte[]{2})),
                    TlsFiles.der(0x02, serial),
                    seq(ECDSA_WITH_SHA256),
                    name,
                    seq(utcTime(from), utcTime(from.plusSeconds(366L * 24 * 3600))),
                    name,
                    keys.getPublic().getEncoded(),
                    TlsFiles.der(0xa3, seq(
                            extension(KEY_USAGE, true, TlsFiles.der(0x03, new byte[]{0x07, (byte) 0x80})),   // digitalSignature
                            extension(EXT_KEY_USAGE, false, seq(SERVER_AUTH)),
                            extension(SUBJECT_ALT_NAME, false, altNames(dnsNames, addresses)))));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] signature = signer.sign();
            byte[] bits = new byte[signature.length + 1];
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = seq(tbs, seq(ECDSA_WITH_SHA256), TlsFiles.der(0x03, bits));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            cert.verify(keys.getPublic());
            return new SelfSignedCertificate(cert, keys);
        } catch (GeneralSecurityException e) {
            throw JcdException.failedPrecondition("cannot make a self-signed certificate for %s: %s (give [cri.x509_key_pair_streaming] tls_cert_file and tls_key_file instead)", commonName, e.getMessage());
        }
    }

    /** A server's TLS context (TLS 1.3 and 1.2) with this certificate. */
    public SslContext serverContext() {
        try {
            return SslContextBuilder.forServer(keys.getPrivate(), certificate).sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw JcdException.failedPrecondition("cannot use the self-signed certificate %s: %s (give [cri.x509_key_pair_streaming] tls_cert_file and tls_key_file instead)", certificate.getSubjectX500Principal(), e.getMessage());
        }
    }

    private static byte[] altNames(List<String> dnsNames, List<InetAddress> addresses) {
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        dnsNames.forEach(n -> names.writeBytes(TlsFiles.der(0x82, n.getBytes(StandardCharsets.US_ASCII))));
        addresses.forEach(a -> names.writeBytes(TlsFiles.der(0x87, a.getAddress())));
        return TlsFiles.der(0x30, names.toByteArray());
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? seq(oid, new byte[]{0x01, 0x01, (byte) 0xff}, TlsFiles.der(0x04, value)) : seq(oid, TlsFiles.der(0x04, value));
    }

    private static byte[] utcTime(Instant t) {
        return TlsFiles.der(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] seq(byte[]... parts) {
        return TlsFiles.der(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return TlsFiles.der(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
