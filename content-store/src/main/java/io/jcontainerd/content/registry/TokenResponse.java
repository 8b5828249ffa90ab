package io.jcontainerd.content.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.ImageJson;

import java.io.IOException;
import java.time.Duration;

/**
 * A token server's answer ({@code {"token": "...", "expires_in": 300}}, or {@code access_token}),
 * read from at most {@value #MAX_BYTES} bytes. The token must be an RFC 6750 b64token (it goes into
 * an Authorization header); expires_in is clamped to 60 s..1 day (containerd's minimum is 60 s).
 * Every other answer is a {@link JcdException} (UNAVAILABLE) naming the token server.
 */
record TokenResponse(String token, Duration expiresIn) {
    /** Docker Hub's tokens are a few KiB; a megabyte is an answer from something that is not a token server. */
    static final int MAX_BYTES = 1 << 20;
    private static final long MIN_EXPIRY = 60;
    private static final long MAX_EXPIRY = Duration.ofDays(1).toSeconds();

    static TokenResponse parse(byte[] body, String realm, String what) {
        if (body.length > MAX_BYTES) {
            throw JcdException.unavailable("token server %s answered %d bytes for %s, more than the %d byte limit: refused",
                    realm, body.length, what, MAX_BYTES);
        }
        JsonNode json;
        try {
            json = ImageJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw JcdException.unavailable("token server %s returned malformed JSON for %s: %s", realm, what, e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw JcdException.unavailable("token server %s returned no JSON object for %s", realm, what);
        }
        String token = text(json.get("token"));
        if (token.isEmpty()) token = text(json.get("access_token"));
        if (token.isEmpty()) {
            throw JcdException.unavailable("token server %s returned no token for %s", realm, what);
        }
        if (!isB64Token(token)) {
            throw JcdException.unavailable("token server %s returned a token for %s with characters a bearer token cannot hold", realm, what);
        }
        JsonNode e = json.get("expires_in");
        long expiresIn = e != null && e.canConvertToLong() ? e.asLong() : MIN_EXPIRY;
        return new TokenResponse(token, Duration.ofSeconds(Math.clamp(expiresIn, MIN_EXPIRY, MAX_EXPIRY)));
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : "";
    }

    /** RFC 6750: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
    static boolean isB64Token(String t) {
        int k = 0, n = t.length();
        while (k < n && (Character.isLetterOrDigit(t.charAt(k)) && t.charAt(k) < 0x80 || "-._~+/".indexOf(t.charAt(k)) >= 0)) k++;
        if (k == 0) return false;
        while (k < n && t.charAt(k) == '=') k++;
        return k == n;
    }
}
