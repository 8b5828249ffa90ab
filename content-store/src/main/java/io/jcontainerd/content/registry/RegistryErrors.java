package io.jcontainerd.content.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.content.image.ImageJson;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/** Reads the distribution spec's error body ({"errors":[{"code":…,"message":…}]}) for messages. */
final class RegistryErrors {

    private RegistryErrors() {
    }

    /** "MANIFEST_UNKNOWN: manifest unknown", or "HTTP 404" when the body says nothing useful. */
    static String detail(HttpResponse<InputStream> r) {
        String fallback = "HTTP " + r.statusCode();
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes(64 * 1024);
            if (body.length == 0) return fallback;
            JsonNode n = ImageJson.MAPPER.readTree(body);
            JsonNode e = n.path("errors").path(0);
            if (e.isMissingNode()) return fallback;
            String code = e.path("code").asText("");
            String msg = e.path("message").asText("");
            return fallback + " " + (code.isEmpty() ? msg : code + (msg.isEmpty() ? "" : ": " + msg));
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    static void discard(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }
}
