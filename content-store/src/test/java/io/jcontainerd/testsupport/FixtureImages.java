package io.jcontainerd.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The images scripts/test-images.sh built, read from its OCI image layout: the digests a registry
 * filled from it serves. Names are the layout's ref names, {@code <image>:<tag>} (pushed as
 * {@code library/<image>:<tag>}): busybox:latest (Docker schema 2), busybox:oci, multiarch:latest
 * (OCI index, amd64 + arm64), multiarch:docker (Docker manifest list), whiteouts:latest,
 * large:latest, zstd:latest, uncompressed:latest. scripts/test-images.sh describes each.
 */
public final class FixtureImages {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path layout;
    private final Map<String, FixtureBlob> refs;

    private FixtureImages(Path layout, Map<String, FixtureBlob> refs) {
        this.layout = layout;
        this.refs = refs;
    }

    /** Reads the layout's index.json. */
    public static FixtureImages read(Path layout) {
        JsonNode index = readJson(layout.resolve("index.json"));
        Map<String, FixtureBlob> refs = new LinkedHashMap<>();
        for (JsonNode m : index.path("manifests")) {
            String name = m.path("annotations").path("org.opencontainers.image.ref.name").asText("");
            if (!name.isEmpty()) {
                refs.put(name, descriptor(m));
            }
        }
        return new FixtureImages(layout, refs);
    }

    public Path layout() {
        return layout;
    }

    /** The image names the layout holds, e.g. {@code busybox:latest}. */
    public List<String> names() {
        return List.copyOf(refs.keySet());
    }

    /** The top-level descriptor of a name: a manifest or an index. */
    public FixtureBlob descriptor(String name) {
        FixtureBlob d = refs.get(name);
        if (d == null) {
            throw new IllegalArgumentException("the fixture layout " + layout + " has no image " + name
                    + "; it has " + refs.keySet() + " (add it to scripts/test-images.sh)");
        }
        return d;
    }

    /** A single-platform image; fails for an index (use {@link #index}). */
    public FixtureImage image(String name) {
        FixtureBlob d = descriptor(name);
        if (isIndex(d.mediaType())) {
            throw new IllegalArgumentException(name + " is an index (" + d.mediaType() + "): use index(\"" + name + "\")");
        }
        return readImage(name, d, null);
    }

    /** A multi-platform image; fails for a single manifest (use {@link #image}). */
    public FixtureIndex index(String name) {
        FixtureBlob d = descriptor(name);
        if (!isIndex(d.mediaType())) {
            throw new IllegalArgumentException(name + " is a single manifest (" + d.mediaType() + "): use image(\"" + name + "\")");
        }
        List<FixtureImage> manifests = new ArrayList<>();
        for (JsonNode m : readJson(blobPath(d.digest())).path("manifests")) {
            JsonNode p = m.path("platform");
            String platform = p.path("os").asText() + "/" + p.path("architecture").asText()
                    + (p.hasNonNull("variant") ? "/" + p.path("variant").asText() : "");
            manifests.add(readImage(name + "@" + platform, descriptor(m), platform));
        }
        return new FixtureIndex(name, d, manifests);
    }

    /** Where a blob's bytes are in the layout. */
    public Path blobPath(String digest) {
        int colon = digest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a digest: " + digest + " (expected sha256:<hex>)");
        }
        return layout.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    public byte[] blob(String digest) {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + digest + " of the fixture layout " + layout
                    + "; rebuild it by deleting " + layout + " and running scripts/test-images.sh", e);
        }
    }

    private FixtureImage readImage(String name, FixtureBlob manifest, String indexPlatform) {
        JsonNode m = readJson(blobPath(manifest.digest()));
        FixtureBlob config = descriptor(m.path("config"));
        List<FixtureBlob> layers = new ArrayList<>();
        for (JsonNode l : m.path("layers")) {
            layers.add(descriptor(l));
        }
        JsonNode c = readJson(blobPath(config.digest()));
        List<String> diffIds = new ArrayList<>();
        for (JsonNode id : c.path("rootfs").path("diff_ids")) {
            diffIds.add(id.asText());
        }
        String platform = indexPlatform != null ? indexPlatform
                : c.path("os").asText() + "/" + c.path("architecture").asText()
                        + (c.hasNonNull("variant") ? "/" + c.path("variant").asText() : "");
        return new FixtureImage(name, manifest, config, layers, diffIds, platform);
    }

    private static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    private static FixtureBlob descriptor(JsonNode d) {
        return new FixtureBlob(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong());
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " of the fixture layout; rebuild the layout:"
                    + " delete its directory and run scripts/test-images.sh", e);
        }
    }
}
