package io.jcontainerd.ctr.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Walks an image's content through the Content service, as ctr's images commands do on the client:
 * the platforms an image offers, the blobs it needs for this machine's platform and which of them
 * are present.
 */
final class ImageContent {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What ctr considers this machine ("linux/amd64" here). */
    static final String HOST_PLATFORM = "linux/" + hostArch();

    /** One blob of an image: its role, digest, size. */
    record Blob(String mediaType, String digest, long size) {
        boolean isIndex() {
            return mediaType.endsWith("image.index.v1+json") || mediaType.endsWith("manifest.list.v2+json");
        }

        boolean isManifest() {
            return mediaType.endsWith("image.manifest.v1+json") || mediaType.endsWith("distribution.manifest.v2+json");
        }
    }

    private final ContentGrpc.ContentBlockingStub content;

    ImageContent(ContentGrpc.ContentBlockingStub content) {
        this.content = content;
    }

    byte[] read(String digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.read(ReadContentRequest.newBuilder().setDigest(digest).build())
                .forEachRemaining(r -> out.writeBytes(r.getData().toByteArray()));
        return out.toByteArray();
    }

    JsonNode json(String digest) {
        try {
            return JSON.readTree(read(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("blob " + digest + " is not JSON: " + e.getMessage(), e);
        }
    }

    boolean exists(String digest) {
        try {
            content.info(InfoRequest.newBuilder().setDigest(digest).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** The platforms of an index's manifests, or of a lone manifest's config; empty if unreadable. */
    List<String> platforms(Blob target) {
        Set<String> out = new LinkedHashSet<>();
        try {
            if (target.isIndex()) {
                for (JsonNode m : json(target.digest()).path("manifests")) {
                    if (m.has("platform")) {
                        out.add(format(m.path("platform")));
                    }
                }
            } else if (target.isManifest()) {
                out.add(format(json(json(target.digest()).path("config").path("digest").asText())));
            }
        } catch (StatusRuntimeException | UncheckedIOException missing) {
            // a partial image: show what can be read
        }
        return List.copyOf(out);
    }

    /**
     * The blobs this machine's platform needs, root first; children of a missing index or manifest
     * cannot be known and are left out (the image is incomplete anyway).
     */
    List<Blob> hostBlobs(Blob target) {
        List<Blob> out = new ArrayList<>();
        collect(target, out);
        return out;
    }

    private void collect(Blob b, List<Blob> out) {
        out.add(b);
        if (!(b.isIndex() || b.isManifest()) || !exists(b.digest())) {
            return;
        }
        JsonNode node = json(b.digest());
        if (b.isIndex()) {
            for (JsonNode m : node.path("manifests")) {
                if (!m.has("platform") || matchesHost(m.path("platform"))) {
                    collect(blob(m), out);
                }
            }
        } else {
            out.add(blob(node.path("config")));
            node.path("layers").forEach(l -> out.add(blob(l)));
        }
    }

    /** The config of this machine's manifest, if the image has one readable. */
    Optional<Blob> hostConfig(Blob target) {
        return hostBlobs(target).stream()
                .filter(b -> b.mediaType().endsWith("config.v1+json") || b.mediaType().endsWith("container.image.v1+json"))
                .findFirst();
    }

    static Blob blob(JsonNode d) {
        return new Blob(d.path("mediaType").asText(""), d.path("digest").asText(""), d.path("size").asLong());
    }

    private static boolean matchesHost(JsonNode p) {
        String f = format(p);
        return f.equals(HOST_PLATFORM) || f.startsWith(HOST_PLATFORM + "/");
    }

    static String format(JsonNode p) {
        String variant = p.path("variant").asText("");
        return p.path("os").asText("") + "/" + p.path("architecture").asText("") + (variant.isEmpty() ? "" : "/" + variant);
    }

    private static String hostArch() {
        String a = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }
}
