package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.supervisor.docker.Containerd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code docker save}: images as the docker-archive dockerd 20.10 writes: per layer a directory
 * named by its diff_id's hex with {@code VERSION}, {@code json} and the uncompressed
 * {@code layer.tar}; per image {@code <config hex>.json}; then {@code manifest.json} (Config,
 * RepoTags, Layers) and {@code repositories}. Layers are read from the Content service and
 * uncompressed into a temporary file first (a tar header needs the size), one at a time.
 */
final class ImageSave {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MTIME = 0;
    private final Containerd cd;
    private final ImageStore images;
    private final Path tmpDir;

    ImageSave(Containerd cd, ImageStore images, Path tmpDir) {
        this.cd = cd;
        this.images = images;
        this.tmpDir = tmpDir;
    }

    /** The images the references name (all resolved before anything is written: a missing one is a 404 up front). */
    List<Named> resolve(List<String> refs) {
        return refs.stream().map(r -> {
            LocalImage i = images.require(r);
            String hex = r.startsWith("sha256:") ? r.substring(7) : r;
            boolean byId = hex.matches("[0-9a-f]{4,64}") && i.id().substring(7).startsWith(hex);
            return new Named(i, byId ? null : ImageName.parse(r));
        }).toList();
    }

    /** An image to save and the name it was asked for by (null: asked for by ID, saved without RepoTags). */
    record Named(LocalImage image, ImageName name) {
    }

    void write(List<Named> named, OutputStream out) throws IOException {
        Files.createDirectories(tmpDir);
        Set<String> written = new HashSet<>();
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode repositories = JSON.createObjectNode();
        try (TarWriter tar = new TarWriter(out)) {
            for (Named n : named) {
                LocalImage i = n.image();
                JsonNode m = images.json(i.names().isEmpty() ? i.id() : i.names().getFirst(), i.manifest());
                String configHex = i.id().substring(7);
                ObjectNode entry = manifest.addObject();
                entry.put("Config", configHex + ".json");
                ArrayNode tags = entry.putArray("RepoTags");
                if (n.name() != null) {
                    tags.add(n.name().familiar());
                } else {
                    entry.putNull("RepoTags");
                }
                ArrayNode layers = entry.putArray("Layers");
                String parent = "";
                int k = 0;
                for (JsonNode l : m.path("layers")) {
                    String layerId = i.diffIds().get(k++).substring(7);
                    layers.add(layerId + "/layer.tar");
                    if (written.add(layerId)) {
                        file(tar, layerId + "/", null);
                        file(tar, layerId + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
                        ObjectNode v1 = JSON.createObjectNode().put("id", layerId);
                        if (!parent.isEmpty()) {
                            v1.put("parent", parent);
                        }
                        file(tar, layerId + "/json", JSON.writeValueAsBytes(v1));
                        layer(tar, layerId + "/layer.tar", l.path("digest").asText(), l.path("mediaType").asText(""));
                    }
                    parent = layerId;
                }
                if (written.add(configHex)) {
                    // the config's own bytes: its digest is the image ID
                    try (InputStream config = blob(i.id())) {
                        file(tar, configHex + ".json", config.readNBytes(ArchiveSpool.MAX_JSON));
                    }
                }
                if (n.name() != null && !parent.isEmpty()) {
                    ObjectNode repo = repositories.has(n.name().familiarRepository())
                            ? (ObjectNode) repositories.get(n.name().familiarRepository())
                            : repositories.putObject(n.name().familiarRepository());
                    repo.put(n.name().tag(), parent);
                }
            }
            file(tar, "manifest.json", JSON.writeValueAsBytes(manifest));
            if (!repositories.isEmpty()) {
                file(tar, "repositories", JSON.writeValueAsBytes(repositories));
            }
        }
    }

    private static void file(TarWriter tar, String name, byte[] data) throws IOException {
        if (data == null) {
            tar.write(new TarEntry(name, TarEntry.Type.DIR, 0755, 0, 0, 0, MTIME, 0, "", 0, 0, Map.of()), InputStream.nullInputStream());
        } else {
            tar.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, data.length, MTIME, 0, "", 0, 0, Map.of()),
                    new ByteArrayInputStream(data));
        }
    }

    /** A layer blob uncompressed into a temporary file, then written as one entry. */
    private void layer(TarWriter tar, String name, String digest, String mediaType) throws IOException {
        Path tmp = Files.createTempFile(tmpDir, "save-", ".tar");
        try {
            try (InputStream in = LayerTar.open(cd, digest)) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream in = Files.newInputStream(tmp)) {
                tar.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, Files.size(tmp), MTIME, 0, "", 0, 0, Map.of()), in);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A blob of the content store as a stream. */
    private InputStream blob(String digest) {
        return ContentBlobs.open(cd, digest);
    }
}
