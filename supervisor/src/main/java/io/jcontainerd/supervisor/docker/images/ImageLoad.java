package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.diff.v1.ApplyRequest;
import io.jcontainerd.api.services.leases.v1.AddResourceRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.Resource;
import io.jcontainerd.api.services.snapshots.v1.CommitSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.pull.ChainIds;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * {@code docker load}: a docker-archive (docker save's manifest.json, config and layer tars, as
 * dockerd 20.10 and skopeo write it, layers plain or compressed) or an OCI image layout
 * (index.json, blobs/sha256/...) into the facade's namespace, through the Content, Snapshots,
 * Diff and Images services. The archive is spooled to disk first (its order is not fixed:
 * manifest.json often comes last), every blob is checked against the digest that names it (a
 * layer's uncompressed digest against the config's diff_ids), and image records are made only
 * when every blob is stored and every layer unpacked: a failure leaves no image, and what was
 * written is held only by a lease that is deleted, so the collector takes it.
 */
final class ImageLoad {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_IMAGES = 1000;
    private final Containerd cd;
    private final ImageStore images;
    private final String snapshotter;
    private final Path spoolDir;
    private final io.jcontainerd.config.DaemonConfig.DockerLoad limits;

    ImageLoad(Containerd cd, ImageStore images, String snapshotter, Path spoolDir, io.jcontainerd.config.DaemonConfig.DockerLoad limits) {
        this.limits = limits;
        this.cd = cd;
        this.images = images;
        this.snapshotter = snapshotter;
        this.spoolDir = spoolDir;
        ArchiveSpool.removeLeftovers(spoolDir);
    }

    /** An image found in the archive, ready to be named: its record target and the names to give it. */
    private record Loaded(Descriptor target, String id, List<ImageName> names) {
    }

    /** Loads the archive; returns what docker load prints, one line per name ("Loaded image: busybox:latest"). */
    List<String> load(InputStream in) throws IOException {
        String lease = cd.leases().create(CreateRequest.newBuilder().setId("docker-load-" + UUID.randomUUID())
                .putLabels("containerd.io/gc.expire", Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString())
                .build()).getLease().getId();
        try (ArchiveSpool spool = ArchiveSpool.read(in, spoolDir, limits)) {
            BlobWriter blobs = new BlobWriter(cd, lease);
            List<Loaded> loaded;
            if (spool.has("manifest.json")) {
                loaded = dockerArchive(spool, blobs, lease);
            } else if (spool.has("index.json")) {
                loaded = ociLayout(spool, blobs, lease);
            } else {
                throw DockerApiException.badRequest("the archive is neither docker save's docker-archive (no manifest.json) "
                        + "nor an OCI image layout (no index.json)");
            }
            List<String> lines = new ArrayList<>();
            for (Loaded l : loaded) {
                for (ImageName n : l.names) {
                    images.point(n, l.target);
                    lines.add("Loaded image: " + n.familiar());
                }
                if (l.names.isEmpty()) {
                    lines.add("Loaded image ID: " + l.id);
                }
            }
            return lines;
        } finally {
            try {
                cd.leases().delete(DeleteRequest.newBuilder().setId(lease).build());
            } catch (StatusRuntimeException ignored) {
                // it expires by itself within the hour
            }
        }
    }

    private List<Loaded> dockerArchive(ArchiveSpool spool, BlobWriter blobs, String lease) throws IOException {
        JsonNode manifest = spool.json("manifest.json", "the list of images");
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw DockerApiException.badRequest("manifest.json of the archive is not a non-empty array of images");
        }
        if (manifest.size() > MAX_IMAGES) {
            throw DockerApiException.badRequest("manifest.json lists %d images, more than %d", manifest.size(), MAX_IMAGES);
        }
        List<Loaded> out = new ArrayList<>();
        for (JsonNode m : manifest) {
            String configName = m.path("Config").asText("");
            ArchiveSpool.Spooled configFile = spool.require(configName, "an image's config named by manifest.json");
            JsonNode config = spool.json(configName, "an image's config");
            List<String> diffIds = ImageStore.strings(config.path("rootfs").path("diff_ids"));
            JsonNode layerNames = m.path("Layers");
            if (layerNames.size() != diffIds.size()) {
                throw DockerApiException.badRequest("image %s of the archive has %d layers but its config lists %d diff_ids",
                        configName, layerNames.size(), diffIds.size());
            }
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                String name = layerNames.get(i).asText("");
                ArchiveSpool.Spooled f = spool.require(name, "layer " + i + " of " + configName);
                Compression c = compression(f.path());
                String diffId = c == Compression.NONE ? f.digest() : uncompressedDigest(f.path(), c);
                if (!diffId.equals(diffIds.get(i))) {
                    throw DockerApiException.badRequest("layer %s of the archive has the digest %s but the image config says %s: "
                            + "the archive is corrupt or was altered", name, diffId, diffIds.get(i));
                }
                String mediaType = switch (c) {
                    case GZIP -> "application/vnd.docker.image.rootfs.diff.tar.gzip";
                    case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
                    default -> "application/vnd.docker.image.rootfs.diff.tar";
                };
                blobs.write(f.digest(), f.path(), f.size(), Map.of());
                layers.add(Descriptor.newBuilder().setMediaType(mediaType).setDigest(f.digest()).setSize(f.size()).build());
            }
            String top = unpack(layers, diffIds, lease);
            blobs.write(configFile.digest(), configFile.path(), configFile.size(), snapshotLabel(top));
            ObjectNode v2 = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", DOCKER_MANIFEST);
            v2.putObject("config").put("mediaType", DOCKER_CONFIG).put("size", configFile.size()).put("digest", configFile.digest());
            ArrayNode ls = v2.putArray("layers");
            Map<String, String> refs = new LinkedHashMap<>();
            refs.put("containerd.io/gc.ref.content.config", configFile.digest());
            for (int i = 0; i < layers.size(); i++) {
                Descriptor l = layers.get(i);
                ls.addObject().put("mediaType", l.getMediaType()).put("size", l.getSize()).put("digest", l.getDigest());
                refs.put("containerd.io/gc.ref.content.l." + i, l.getDigest());
            }
            byte[] manifestBytes = JSON.writeValueAsBytes(v2);
            String manifestDigest = Digest.of(manifestBytes).toString();
            blobs.write(manifestDigest, manifestBytes, refs);
            List<ImageName> names = new ArrayList<>();
            for (JsonNode t : m.path("RepoTags")) {
                names.add(ImageName.parse(t.asText("")));
            }
            if (names.isEmpty()) {
                throw DockerApiException.badRequest("image %s of the archive has no RepoTags: jcontainerd keeps images by name; "
                        + "tag the image and save it by that name", configName);
            }
            out.add(new Loaded(Descriptor.newBuilder().setMediaType(DOCKER_MANIFEST).setDigest(manifestDigest)
                    .setSize(manifestBytes.length).build(), configFile.digest(), names));
        }
        return out;
    }

    private List<Loaded> ociLayout(ArchiveSpool spool, BlobWriter blobs, String lease) throws IOException {
        JsonNode index = spool.json("index.json", "the OCI layout's index");
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw DockerApiException.badRequest("index.json of the OCI layout lists no manifests");
        }
        if (manifests.size() > MAX_IMAGES) {
            throw DockerApiException.badRequest("index.json lists %d manifests, more than %d", manifests.size(), MAX_IMAGES);
        }
        List<Loaded> out = new ArrayList<>();
        for (JsonNode d : manifests) {
            Descriptor target = descriptor(d, "index.json");
            String id = importTree(spool, blobs, lease, target, 0);
            String refName = d.path("annotations").path("io.containerd.image.name").asText(
                    d.path("annotations").path("org.opencontainers.image.ref.name").asText(""));
            List<ImageName> names = new ArrayList<>();
            if (!refName.isEmpty()) {
                names.add(ImageName.parse(refName));
            } else {
                throw DockerApiException.badRequest("manifest %s of index.json has no name (annotation org.opencontainers.image.ref.name):"
                        + " jcontainerd keeps images by name", target.getDigest());
            }
            out.add(new Loaded(target, id, names));
        }
        return out;
    }

    /** Stores the blob a descriptor names and what it refers to; returns the image ID (config digest) of the host's platform. */
    private String importTree(ArchiveSpool spool, BlobWriter blobs, String lease, Descriptor d, int depth) throws IOException {
        if (depth > 2) {
            throw DockerApiException.badRequest("the OCI layout nests indexes more than twice at %s", d.getDigest());
        }
        ArchiveSpool.Spooled f = blob(spool, d);
        JsonNode node = spool.json(blobName(d.getDigest()), "a manifest");
        String mt = d.getMediaType().isEmpty() ? node.path("mediaType").asText("") : d.getMediaType();
        Map<String, String> refs = new LinkedHashMap<>();
        if (mt.endsWith("image.index.v1+json") || mt.endsWith("manifest.list.v2+json") || node.has("manifests")) {
            String id = null;
            int i = 0;
            for (JsonNode m : node.path("manifests")) {
                Descriptor child = descriptor(m, d.getDigest());
                JsonNode p = m.path("platform");
                boolean host = !m.has("platform")
                        || ("linux".equals(p.path("os").asText()) && ImageStore.HOST_ARCH.equals(p.path("architecture").asText()));
                if (spool.has(blobName(child.getDigest()))) {
                    String childId = importTree(spool, blobs, lease, child, depth + 1);
                    refs.put("containerd.io/gc.ref.content.m." + i, child.getDigest());
                    if (host && id == null) {
                        id = childId;
                    }
                }
                i++;
            }
            if (id == null) {
                throw DockerApiException.badRequest("the OCI layout has no manifest for linux/%s under %s", ImageStore.HOST_ARCH, d.getDigest());
            }
            blobs.write(f.digest(), f.path(), f.size(), refs);
            return id;
        }
        Descriptor config = descriptor(node.path("config"), d.getDigest());
        ArchiveSpool.Spooled configFile = blob(spool, config);
        JsonNode configJson = spool.json(blobName(config.getDigest()), "an image config");
        List<String> diffIds = ImageStore.strings(configJson.path("rootfs").path("diff_ids"));
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : node.path("layers")) {
            layers.add(descriptor(l, d.getDigest()));
        }
        if (layers.size() != diffIds.size()) {
            throw DockerApiException.badRequest("manifest %s has %d layers but its config lists %d diff_ids", d.getDigest(), layers.size(), diffIds.size());
        }
        refs.put("containerd.io/gc.ref.content.config", config.getDigest());
        for (int i = 0; i < layers.size(); i++) {
            ArchiveSpool.Spooled lf = blob(spool, layers.get(i));
            blobs.write(lf.digest(), lf.path(), lf.size(), Map.of());
            refs.put("containerd.io/gc.ref.content.l." + i, layers.get(i).getDigest());
        }
        String top = unpack(layers, diffIds, lease);
        blobs.write(configFile.digest(), configFile.path(), configFile.size(), snapshotLabel(top));
        blobs.write(f.digest(), f.path(), f.size(), refs);
        return config.getDigest();
    }

    private static String blobName(String digest) {
        int colon = digest.indexOf(':');
        return "blobs/" + digest.substring(0, colon) + "/" + digest.substring(colon + 1);
    }

    /** The spooled blob of a descriptor; its digest and size must be what the descriptor says. */
    private static ArchiveSpool.Spooled blob(ArchiveSpool spool, Descriptor d) {
        ArchiveSpool.Spooled f = spool.require(blobName(d.getDigest()), "a blob the layout refers to");
        if (!f.digest().equals(d.getDigest())) {
            throw DockerApiException.badRequest("blob %s of the OCI layout has the digest %s: the archive is corrupt or was altered",
                    blobName(d.getDigest()), f.digest());
        }
        if (d.getSize() > 0 && f.size() != d.getSize()) {
            throw DockerApiException.badRequest("blob %s of the OCI layout is %d bytes, its descriptor says %d", d.getDigest(), f.size(), d.getSize());
        }
        return f;
    }

    private static Descriptor descriptor(JsonNode n, String where) {
        String digest = n.path("digest").asText("");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw DockerApiException.badRequest("a descriptor in %s has the digest \"%s\", not sha256:<64 hex digits>", where, digest);
        }
        return Descriptor.newBuilder().setMediaType(n.path("mediaType").asText("")).setDigest(digest).setSize(n.path("size").asLong()).build();
    }

    private Map<String, String> snapshotLabel(String topChainId) {
        return topChainId.isEmpty() ? Map.of() : Map.of("containerd.io/gc.ref.snapshot." + snapshotter, topChainId);
    }

    /** Each layer as the snapshot named by its chain ID (made unless there), as containerd's unpacker does; the top chain ID. */
    private String unpack(List<Descriptor> layers, List<String> diffIds, String lease) {
        List<Digest> chain = ChainIds.of(diffIds.stream().map(Digest::parse).toList());
        String parent = "";
        for (int i = 0; i < layers.size(); i++) {
            String name = chain.get(i).toString();
            if (!held(name, lease)) {
                String key = "docker-load-extract-" + UUID.randomUUID() + " " + name;
                var snapshots = cd.leased(cd.snapshots(), lease);
                var mounts = snapshots.prepare(PrepareSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(key)
                        .setParent(parent).build()).getMountsList();
                try {
                    Descriptor applied = cd.leased(cd.diff(), lease).apply(ApplyRequest.newBuilder().setDiff(layers.get(i))
                            .addAllMounts(mounts).build()).getApplied();
                    if (!applied.getDigest().equals(diffIds.get(i))) {
                        throw DockerApiException.badRequest("layer %s unpacks to %s but the image config says %s: the archive is corrupt",
                                layers.get(i).getDigest(), applied.getDigest(), diffIds.get(i));
                    }
                    snapshots.commit(CommitSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setName(name).setKey(key).build());
                } catch (RuntimeException e) {
                    try {
                        snapshots.remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build());
                    } catch (StatusRuntimeException ignored) {
                        // committed meanwhile, or gone with the lease
                    }
                    if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
                        parent = name; // another load or pull committed it first
                        continue;
                    }
                    if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                        throw DockerApiException.badRequest("layer %s of the archive cannot be unpacked: %s", layers.get(i).getDigest(),
                                s.getStatus().getDescription());
                    }
                    throw e;
                }
            }
            parent = name;
        }
        return parent;
    }

    /**
     * Whether the layer's snapshot is there, the load's lease holding it. The lease gets it first: a
     * snapshot found (or committed meanwhile by another load or pull) then stays while the lease does,
     * even when the image that held it was just removed and a collection runs before this load's image
     * record protects it; found without the lease, the collection could take it (as containerd's
     * lease keeps what a client found, and the server-side pull holds what it skips).
     */
    private boolean held(String name, String lease) {
        cd.leases().addResource(AddResourceRequest.newBuilder().setId(lease)
                .setResource(Resource.newBuilder().setId(name).setType("snapshots/" + snapshotter)).build());
        return committed(name);
    }

    private boolean committed(String name) {
        try {
            cd.snapshots().stat(StatSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(name).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private static Compression compression(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] head = new byte[4];
            int n = in.readNBytes(head, 0, 4);
            return Compression.fromMagic(head, n);
        }
    }

    private static String uncompressedDigest(Path f, Compression c) throws IOException {
        MessageDigest sha = ArchiveSpool.sha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(f), 64 * 1024);
             InputStream in = c == Compression.GZIP ? new GZIPInputStream(raw, 64 * 1024) : new ZstdInputStream(raw)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw DockerApiException.badRequest("a compressed layer of the archive is corrupt or truncated: %s", e.getMessage());
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }
}
