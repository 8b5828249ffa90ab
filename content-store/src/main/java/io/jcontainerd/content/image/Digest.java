package io.jcontainerd.content.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.jcontainerd.config.errdefs.JcdException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code <algorithm>:<hex>}. Only sha256 and sha512 are accepted: they are the
 * two algorithms the OCI image spec registers, and the store lays blobs out by algorithm.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {

    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512_HEX = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        if (algorithm == null || hex == null) {
            throw JcdException.invalidArgument("digest needs an algorithm and a hex value, got %s:%s", algorithm, hex);
        }
        Pattern p = switch (algorithm) {
            case SHA256 -> SHA256_HEX;
            case SHA512 -> SHA512_HEX;
            default -> throw JcdException.invalidArgument(
                    "unsupported digest algorithm \"%s\" in \"%s:%s\": use sha256 or sha512", algorithm, algorithm, hex);
        };
        if (!p.matcher(hex).matches()) {
            throw JcdException.invalidArgument(
                    "invalid digest \"%s:%s\": expected %d lower-case hex characters after \"%s:\"",
                    algorithm, hex, algorithm.equals(SHA256) ? 64 : 128, algorithm);
        }
    }

    /** Parses {@code sha256:<64 hex>}; anything else is an InvalidArgument quoting the input. */
    @JsonCreator
    public static Digest parse(String text) {
        if (text == null || text.isEmpty()) {
            throw JcdException.invalidArgument("empty digest: expected \"sha256:<64 hex characters>\"");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw JcdException.invalidArgument("invalid digest \"%s\": expected \"sha256:<64 hex characters>\"", text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] hash) {
        return new Digest(SHA256, HexFormat.of().formatHex(hash));
    }

    /** The sha256 digest of the given bytes. */
    public static Digest of(byte[] content) {
        return sha256(newSha256().digest(content));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals(SHA512) ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
    }

    /** Builds a digest of this digest's algorithm from a finished hasher. */
    public Digest withHash(byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** A short form for progress lines and logs: the first 12 hex characters. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}
