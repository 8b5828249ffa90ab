package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.images.v1.CreateImageRequest;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.images.v1.ListImagesRequest;
import io.jcontainerd.api.services.images.v1.UpdateImageRequest;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The images of the facade's namespace, read through the Images and Content services: a name
 * or an ID (prefix) resolves to a {@link LocalImage}; tag adds an image record, remove deletes
 * records as docker rmi does. What a target resolves to never changes, so it is cached.
 */
public final class ImageStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Blobs the facade reads whole (manifests, configs) are at most this large. */
    private static final int MAX_JSON_BLOB = 8 << 20;
    static final String HOST_ARCH = switch (System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT)) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        default -> System.getProperty("os.arch");
    };

    /** On an image record: the manifest digest its name was last pushed as. */
    static final String PUSHED_DIGEST = "jcontainerd.io/docker.pushed-digest";
    /** On an image record made by docker tag or load: its name was not pulled, it has no registry digest of its own. */
    static final String NOT_PULLED = "jcontainerd.io/docker.not-pulled";
    private final Containerd cd;
    private final LayerSizes layerSizes;
    private final Map<String, Resolved> byTarget = new ConcurrentHashMap<>();

    private record Resolved(String manifest, String configDigest, JsonNode config, List<String> diffIds, List<Long> layerSizes) {
    }

    public ImageStore(Containerd cd) {
        this.cd = cd;
        this.layerSizes = new LayerSizes(cd);
    }

    /** Every image, one entry per ID with all its names. */
    public List<LocalImage> list() {
        Map<String, List<Image>> byId = new LinkedHashMap<>();
        Map<String, Resolved> resolved = new LinkedHashMap<>();
        for (Image i : cd.images().list(ListImagesRequest.getDefaultInstance()).getImagesList()) {
            Resolved r;
            try {
                r = resolve(i.getName(), i.getTarget());
            } catch (DockerApiException e) {
                continue; // another platform only, or incomplete: docker images does not show it either
            }
            byId.computeIfAbsent(r.configDigest, k -> new ArrayList<>()).add(i);
            resolved.put(r.configDigest, r);
        }
        List<LocalImage> out = new ArrayList<>();
        byId.forEach((id, images) -> out.add(image(images.stream().sorted(java.util.Comparator.comparing(Image::getName)).toList(),
                images.getFirst().getTarget(), resolved.get(id))));
        return out;
    }

    /** The image a name, an ID or an ID prefix names; empty when none. */
    public Optional<LocalImage> find(String ref) {
        if (ref == null || ref.isEmpty()) {
            return Optional.empty();
        }
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        if (!hex.matches("[0-9a-f]{4,64}")) {
            ImageName name = ImageName.parse(ref);
            try {
                Image i = cd.images().get(GetImageRequest.newBuilder().setName(name.full()).build()).getImage();
                LocalImage found = image(List.of(i), i.getTarget(), resolve(i.getName(), i.getTarget()));
                // all names of that ID, as inspect's RepoTags shows them
                return Optional.of(list().stream().filter(l -> l.id().equals(found.id())).findFirst().orElse(found));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        }
        List<LocalImage> matches = list().stream().filter(l -> l.id().substring(7).startsWith(hex)).toList();
        if (matches.size() > 1) {
            throw DockerApiException.badRequest("image ID prefix %s is ambiguous: it matches %d images, give more digits", ref, matches.size());
        }
        if (matches.isEmpty() && !ref.startsWith("sha256:") && !hex.matches("[0-9a-f]{64}")) {
            // a short all-hex word can be a name too ("cafe", "deadbeef")
            return find("docker.io/library/" + ref + ":latest");
        }
        return matches.stream().findFirst();
    }

    /** The image, or 404 {@code No such image: <ref>} as dockerd says it. */
    public LocalImage require(String ref) {
        return find(ref).orElseThrow(() -> DockerApiException.notFound("No such image: %s", familiar(ref)));
    }

    /** How dockerd names a missing image in its 404: {@code busybox:latest}. */
    public static String familiar(String ref) {
        try {
            String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
            return hex.matches("[0-9a-f]{12,64}") ? ref : ImageName.parse(ref).familiar();
        } catch (DockerApiException e) {
            return ref;
        }
    }

    /** Points {@code name} at {@code image}'s target (a new record or a moved tag). */
    public void tag(LocalImage image, ImageName name) {
        point(name, image.target());
    }

    /**
     * Records that {@code name} was pushed as the manifest {@code digest}: RepoDigests shows its repository with that
     * digest from now on, as dockerd's reference store after a push.
     */
    public void recordRepoDigest(ImageName name, String digest) {
        try {
            cd.images().update(UpdateImageRequest.newBuilder()
                    .setImage(Image.newBuilder().setName(name.full()).putLabels(PUSHED_DIGEST, digest))
                    .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("labels." + PUSHED_DIGEST)).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) { // untagged meanwhile: nothing to show it on
                throw e;
            }
        }
    }

    /** Points {@code name} at {@code target} (a new record or a moved tag): tagged or loaded, not pulled, so no digest of a registry's. */
    void point(ImageName name, Descriptor target) {
        Image record = Image.newBuilder().setName(name.full()).setTarget(target).putLabels(NOT_PULLED, "true").build();
        try {
            cd.images().create(CreateImageRequest.newBuilder().setImage(record).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            cd.images().update(UpdateImageRequest.newBuilder().setImage(record).build());
        }
    }

    /** Deletes one image record by its full name. */
    public void untag(String fullName) {
        cd.images().delete(DeleteImageRequest.newBuilder().setName(fullName).build());
    }

    private static LocalImage image(List<Image> records, Descriptor target, Resolved r) {
        List<String> digests = new ArrayList<>();
        for (Image i : records) {
            String repo;
            try {
                repo = ImageName.parse(i.getName()).familiarRepository();
            } catch (DockerApiException e) {
                continue;
            }
            if (!i.getLabelsMap().containsKey(NOT_PULLED)) {
                digests.add(repo + "@" + i.getTarget().getDigest()); // pulled by this name: the digest it was pulled by
            }
            String pushed = i.getLabelsMap().getOrDefault(PUSHED_DIGEST, "");
            if (!pushed.isEmpty() && !i.getName().contains("@")) {
                digests.add(repo + "@" + pushed);
            }
        }
        return new LocalImage(r.configDigest, records.stream().map(Image::getName).toList(), target, r.manifest, r.config, r.diffIds,
                r.layerSizes, digests.stream().distinct().sorted().toList()); // sorted, as dockerd lists them
    }

    private Resolved resolve(String name, Descriptor target) {
        Resolved r = byTarget.get(target.getDigest());
        if (r == null) {
            JsonNode manifest = manifest(name, target.getMediaType(), target.getDigest(), 0);
            String configDigest = manifest.path("config").path("digest").asText();
            JsonNode config = json(name, configDigest);
            List<Long> sizes = new ArrayList<>();
            for (JsonNode l : manifest.path("layers")) {
                sizes.add(layerSizes.of(name, l.path("digest").asText()));
            }
            r = new Resolved(manifest.path("__digest").asText(), configDigest, config,
                    strings(config.path("rootfs").path("diff_ids")), List.copyOf(sizes));
            byTarget.put(target.getDigest(), r);
        }
        return r;
    }

    private JsonNode manifest(String name, String mediaType, String digest, int depth) {
        JsonNode node = json(name, digest);
        boolean index = mediaType.endsWith("image.index.v1+json") || mediaType.endsWith("manifest.list.v2+json")
                || (mediaType.isEmpty() && node.has("manifests"));
        if (!index) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("__digest", digest);
            return node;
        }
        if (depth > 2) {
            throw DockerApiException.internal("image %s nests indexes more than twice", name);
        }
        for (JsonNode m : node.path("manifests")) {
            JsonNode p = m.path("platform");
            if (!m.has("platform") || ("linux".equals(p.path("os").asText()) && HOST_ARCH.equals(p.path("architecture").asText()))) {
                return manifest(name, m.path("mediaType").asText(""), m.path("digest").asText(), depth + 1);
            }
        }
        throw DockerApiException.notFound("image %s has no manifest for linux/%s: pull one built for this machine", name, HOST_ARCH);
    }

    /** Reads a JSON blob whole (bounded). */
    JsonNode json(String name, String digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var it = cd.content().read(ReadContentRequest.newBuilder().setDigest(digest).build());
            while (it.hasNext()) {
                out.writeBytes(it.next().getData().toByteArray());
                if (out.size() > MAX_JSON_BLOB) {
                    throw DockerApiException.internal("blob %s of image %s is larger than %d bytes", digest, name, MAX_JSON_BLOB);
                }
            }
            return JSON.readTree(out.toByteArray());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw DockerApiException.notFound("image %s is incomplete (blob %s is missing): pull it again", name, digest);
            }
            throw e;
        } catch (IOException e) {
            throw DockerApiException.internal("blob %s of image %s is not JSON: %s", digest, name, e.getMessage());
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
