package io.jcontainerd.ctr.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.types.Descriptor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads an image's config through the Images and Content services: index → host manifest → config. */
public final class ImageReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST_ARCH = switch (System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT)) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        default -> System.getProperty("os.arch");
    };

    private final ImagesGrpc.ImagesBlockingStub images;
    private final ContentGrpc.ContentBlockingStub content;

    public ImageReader(ImagesGrpc.ImagesBlockingStub images, ContentGrpc.ContentBlockingStub content) {
        this.images = images;
        this.content = content;
    }

    public ImageConfig read(String name) {
        Descriptor target;
        try {
            target = images.get(GetImageRequest.newBuilder().setName(name).build()).getImage().getTarget();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RunException("image " + name + " is not pulled: pull it first with `jctr images pull " + name + "`");
            }
            throw e;
        }
        JsonNode manifest = manifest(name, target.getMediaType(), target.getDigest());
        JsonNode config = json(name, manifest.path("config").path("digest").asText());
        List<String> diffIds = strings(config.path("rootfs").path("diff_ids"));
        JsonNode c = config.path("config");
        Map<String, String> labels = new LinkedHashMap<>();
        c.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new ImageConfig(name, diffIds, strings(c.path("Env")), strings(c.path("Entrypoint")),
                strings(c.path("Cmd")), c.path("WorkingDir").asText(""), c.path("User").asText(""),
                c.path("StopSignal").asText(""), labels);
    }

    private JsonNode manifest(String name, String mediaType, String digest) {
        JsonNode node = json(name, digest);
        boolean index = mediaType.endsWith("image.index.v1+json") || mediaType.endsWith("manifest.list.v2+json")
                || (mediaType.isEmpty() && node.has("manifests"));
        if (!index) {
            return node;
        }
        for (JsonNode m : node.path("manifests")) {
            JsonNode p = m.path("platform");
            if (!m.has("platform") || ("linux".equals(p.path("os").asText()) && HOST_ARCH.equals(p.path("architecture").asText()))) {
                return manifest(name, m.path("mediaType").asText(""), m.path("digest").asText());
            }
        }
        throw new RunException("image " + name + " has no manifest for linux/" + HOST_ARCH + ": pull an image built for this machine");
    }

    private JsonNode json(String name, String digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            content.read(ReadContentRequest.newBuilder().setDigest(digest).build())
                    .forEachRemaining(r -> out.writeBytes(r.getData().toByteArray()));
            return JSON.readTree(out.toByteArray());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RunException("image " + name + " is incomplete (blob " + digest
                        + " is missing): pull it again with `jctr images pull " + name + "`");
            }
            throw e;
        } catch (IOException e) {
            throw new RunException("blob " + digest + " of image " + name + " is not JSON: " + e.getMessage());
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
