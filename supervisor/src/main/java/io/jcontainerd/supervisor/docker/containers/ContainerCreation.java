package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.images.LocalImage;
import io.jcontainerd.supervisor.pull.ChainIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * docker create: the name claimed, volumes mounted, the rootfs snapshot prepared and the
 * container record (OCI spec, Docker document as its extension) written under a lease of the
 * create's own; whatever a failed step made is undone before the error goes to the client.
 */
final class ContainerCreation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerManager manager;
    private final Containerd cd;
    private final ImageStore images;
    private final String snapshotter;
    private final Path containersDir;
    private final Networking networking;
    private final ContainerTable table;

    ContainerCreation(ContainerManager manager, Containerd cd, ImageStore images, String snapshotter, Path containersDir,
                      Networking networking, ContainerTable table) {
        this.manager = manager;
        this.cd = cd;
        this.images = images;
        this.snapshotter = snapshotter;
        this.containersDir = containersDir;
        this.networking = networking;
        this.table = table;
    }

    /** Creates a container; returns it. A missing image is 404 "No such image: busybox:latest" (the CLI then pulls). */
    LiveContainer create(String requestedName, JsonNode body) {
        CreateRequest req = CreateRequest.parse(body);
        String imageRef = req.config().path("Image").asText();
        LocalImage image = images.require(imageRef);
        String id = newId();
        String name = requestedName == null || requestedName.isEmpty()
                ? table.claimGeneratedName(id, RANDOM) : table.claimName(ContainerTable.validName(requestedName), id);
        try {
            return createNamed(id, name, req, image, imageRef);
        } catch (RuntimeException e) {
            table.releaseName(name, id);
            throw e;
        }
    }

    private LiveContainer createNamed(String id, String name, CreateRequest req, LocalImage image, String imageRef) {
        String networkMode = req.networkMode();
        if (networkMode.startsWith("container:")) {
            LiveContainer peer = table.lookup(networkMode.substring("container:".length()));
            if (!peer.running()) {
                throw DockerApiException.conflict("cannot join the network of a non running container: %s", peer.id());
            }
            networkMode = "container:" + peer.id();
        }
        String hostname = networkMode.equals("host") ? hostHostname() : id.substring(0, 12);
        ObjectNode config = req.completedConfig(image, hostname);
        List<String> argv = CreateRequest.command(config);
        if (argv.isEmpty()) {
            throw DockerApiException.badRequest("no command specified: the image %s has no Entrypoint or Cmd, give one after the image name", imageRef);
        }
        ContainerVolumes volumes = manager.volumes();
        List<MountPoint> mountPoints = volumes.mount(id, config, req.hostConfig());
        try {
            return createMounted(id, name, req, image, imageRef, networkMode, hostname, config, argv, mountPoints);
        } catch (RuntimeException e) {
            volumes.release(mountPoints, true);
            throw e;
        }
    }

    private LiveContainer createMounted(String id, String name, CreateRequest req, LocalImage image, String imageRef, String networkMode,
                                        String hostname, ObjectNode config, List<String> argv, List<MountPoint> mountPoints) {
        if (req.hostConfig().path("Init").asBoolean(false) && !Files.isRegularFile(Path.of(DockerSpec.INIT_BINARY))) {
            throw DockerApiException.badRequest("--init needs %s (Debian package tini), which is not installed", DockerSpec.INIT_BINARY);
        }
        Path runDir = containersDir.resolve(id);
        ObjectNode host = req.hostConfig();
        String now = Instant.now().toString();
        List<NetworkAttachment> networks = networking.initial(networkMode, req.endpointsConfig());
        ContainerDocument doc = new ContainerDocument(id, name, now, imageRef, image.id(), argv.getFirst(),
                argv.subList(1, argv.size()), config, host, ContainerState.created(), 0, snapshotter, "",
                runDir.resolve(id + "-json.log").toString(), runDir.toString(), null, false, mountPoints, networks);
        String lease = cd.leases().create(io.jcontainerd.api.services.leases.v1.CreateRequest.newBuilder().setId("docker-create-" + UUID.randomUUID())
                .putLabels("containerd.io/gc.expire", Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString())
                .build()).getLease().getId();
        boolean prepared = false;
        try {
            List<Mount> mounts = cd.leased(cd.snapshots(), lease).prepare(PrepareSnapshotRequest.newBuilder()
                    .setSnapshotter(snapshotter).setKey(id).setParent(topChainId(image))
                    .build()).getMountsList();
            prepared = true;
            RootfsUsers.Resolved user = DockerSpec.user(mounts, config.path("User").asText(""),
                    strings(host.path("GroupAdd")));
            Files.createDirectories(runDir);
            // the endpoints come at each start and go at each exit, as dockerd's; the spec names
            // the namespace and /etc files each start sets up again
            var sandbox = networking.plan(id, name, networkMode, config, host, networks);
            ObjectNode spec = DockerSpec.build(id, config, MountPoint.withoutVolumeBinds(host), sandbox, user, "/" + cd.namespace() + "/" + id);
            MountPoint.addTo(spec, mountPoints);
            Map<String, String> labels = new LinkedHashMap<>();
            config.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            Container c = Container.newBuilder().setId(id).setImage(image.names().isEmpty() ? imageRef : image.names().getFirst())
                    .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2").setOptions(AnyCodec.pack(Options.getDefaultInstance())))
                    .setSpec(AnyCodec.packJson(TypeUrls.OCI_SPEC, JSON.writeValueAsString(spec)))
                    .setSnapshotter(snapshotter).setSnapshotKey(id).putAllLabels(labels)
                    .putExtensions(ContainerDocuments.EXTENSION, ContainerDocuments.extension(doc)).build();
            cd.leased(cd.containers(), lease).create(CreateContainerRequest.newBuilder().setContainer(c).build());
        } catch (RuntimeException | IOException e) {
            if (prepared) {
                manager.removeSnapshot(id);
            }
            ContainerRemoval.deleteTree(runDir);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot create container " + id + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        } finally {
            try {
                cd.leases().delete(DeleteRequest.newBuilder().setId(lease).build());
            } catch (StatusRuntimeException ignored) {
                // it expires by itself
            }
        }
        LiveContainer live = new LiveContainer(doc);
        table.add(live);
        try {
            manager.volumes().populate(live);
        } catch (RuntimeException e) {
            manager.remove(live, true, true);
            throw e;
        }
        manager.emit(live, "create", Map.of());
        return live;
    }

    static String hostHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() ? "localhost" : h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String topChainId(LocalImage image) {
        if (image.diffIds().isEmpty()) {
            return "";
        }
        var chain = ChainIds.of(image.diffIds().stream().map(Digest::parse).toList());
        return chain.getLast().toString();
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        // docker never hands out an ID that reads as a number in short form
        return id.substring(0, 12).chars().allMatch(Character::isDigit) ? newId() : id;
    }
}
