package io.jcontainerd.content.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;

/**
 * Parses manifests, indexes and configs. Errors name the blob's digest and what was wrong, since
 * "cannot parse JSON" alone leaves a user nowhere.
 */
public final class ImageJson {

    /** Refuse manifests and indexes above this, as containerd does (it caps them at 4 MiB). */
    public static final long MAX_MANIFEST_BYTES = 4L << 20;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ImageJson() {
    }

    /** Reads the mediaType field, or guesses from the shape (OCI allows it to be absent). */
    public static String detectMediaType(byte[] json, Digest digest) {
        JsonNode node = tree(json, digest, "manifest or index");
        JsonNode mt = node.get("mediaType");
        if (mt != null && mt.isTextual() && !mt.asText().isEmpty()) {
            return mt.asText();
        }
        if (node.has("manifests")) return MediaTypes.OCI_INDEX;
        if (node.has("config") && node.has("layers")) return MediaTypes.OCI_MANIFEST;
        if (node.has("fsLayers")) return MediaTypes.DOCKER_MANIFEST_V1_SIGNED;
        throw JcdException.invalidArgument(
                "blob %s is neither an image index nor a manifest: it has no mediaType, manifests or layers", digest);
    }

    public static Manifest manifest(byte[] json, Digest digest) {
        checkSize(json, digest);
        Manifest m = read(json, digest, Manifest.class, "image manifest");
        if (m.schemaVersion() != 2) {
            throw JcdException.invalidArgument(
                    "manifest %s has schemaVersion %d: only schema 2 (OCI, Docker v2s2) is supported", digest, m.schemaVersion());
        }
        if (m.config() == null) {
            throw JcdException.invalidArgument("manifest %s has no config descriptor", digest);
        }
        return m;
    }

    public static Index index(byte[] json, Digest digest) {
        checkSize(json, digest);
        Index i = read(json, digest, Index.class, "image index");
        if (i.schemaVersion() != 2) {
            throw JcdException.invalidArgument(
                    "index %s has schemaVersion %d: only schema 2 is supported", digest, i.schemaVersion());
        }
        return i;
    }

    public static ImageConfig config(byte[] json, Digest digest) {
        return read(json, digest, ImageConfig.class, "image config");
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static void checkSize(byte[] json, Digest digest) {
        if (json.length > MAX_MANIFEST_BYTES) {
            throw JcdException.invalidArgument(
                    "manifest %s is %d bytes, over the %d byte limit for manifests and indexes",
                    digest, json.length, MAX_MANIFEST_BYTES);
        }
    }

    private static JsonNode tree(byte[] json, Digest digest, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw JcdException.invalidArgument("%s %s is not a JSON object", what, digest);
            }
            return node;
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s %s is not valid JSON: %s", what, digest, firstLine(e));
        }
    }

    private static <T> T read(byte[] json, Digest digest, Class<T> type, String what) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw JcdException.invalidArgument("%s %s is empty (JSON null)", what, digest);
            }
            return value;
        } catch (JcdException e) {
            throw JcdException.invalidArgument("%s %s is malformed: %s", what, digest, e.getMessage());
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String why = root instanceof JcdException ? root.getMessage() : firstLine(e);
            throw JcdException.invalidArgument("%s %s is malformed: %s", what, digest, why);
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
