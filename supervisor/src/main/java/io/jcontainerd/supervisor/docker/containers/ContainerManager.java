package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.containers.v1.ListContainersRequest;
import io.jcontainerd.api.services.containers.v1.UpdateContainerRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.snapshots.v1.MountsRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.PauseTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.ResumeTaskRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.network.NetworkMode;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.images.LocalImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Docker's container lifecycle on top of the containerd services: create (snapshot, spec,
 * container record with the Docker document as an extension), start (FIFOs, task), the exit
 * (log flushed, task deleted, state kept, auto-remove), stop, kill, pause, rename, remove.
 * Containers are found by full ID, name or unique ID prefix.
 */
public final class ContainerManager {
    private static final Logger LOG = Logger.getLogger(ContainerManager.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String EXTENSION = "docker";
    static final String EXTENSION_TYPE = "types.jcontainerd.io/docker/v1/Container";
    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Containerd cd;
    private final ImageStore images;
    private final String snapshotter;
    private final Path containersDir;
    private final Path fifoDir;
    private final Networking networking;
    private final Map<String, LiveContainer> byId = new ConcurrentHashMap<>();
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final List<ContainerListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Restarts restarts = new Restarts(this);
    private volatile ContainerVolumes volumes = ContainerVolumes.NONE;

    /**
     * @param containersDir where each container's files live (log, hosts, resolv.conf): under the daemon's root
     * @param fifoDir       where the FIFOs of running processes live: under the daemon's state dir
     */
    public ContainerManager(Containerd cd, ImageStore images, String snapshotter, Path containersDir, Path fifoDir,
                            Networking networking) {
        this.cd = cd;
        this.networking = networking;
        this.images = images;
        this.snapshotter = snapshotter;
        this.containersDir = containersDir;
        this.fifoDir = fifoDir;
    }

    /** Gives containers volumes and {@code --mount}s (without it: binds only). */
    public void useVolumes(ContainerVolumes v) {
        this.volumes = v;
    }

    /** Adds a listener of container events (events, health checks). */
    public void listen(ContainerListener l) {
        listeners.add(l);
    }

    /** Tells the listeners; a failing listener is logged, never the caller's failure. */
    public void emit(LiveContainer c, String action, Map<String, String> attributes) {
        for (ContainerListener l : listeners) {
            try {
                l.on(c, action, attributes);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a listener of container " + c.id() + " failed on " + action, e);
            }
        }
    }

    /** The networks a run of the container is on now, for its connect and disconnect events. */
    private List<Networking.Attached> attachedNow(LiveContainer c) {
        try {
            return networking.attached(c.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listing the networks of container " + c.id() + " for its network events failed", e);
            return List.of();
        }
    }

    /** Tells the listeners that a run joined or left its networks (connect, disconnect). */
    private void emitNetworks(LiveContainer c, String action, List<Networking.Attached> networks) {
        for (Networking.Attached n : networks) {
            for (ContainerListener l : listeners) {
                try {
                    l.onNetwork(c, action, n);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a listener of container " + c.id() + " failed on network " + action, e);
                }
            }
        }
    }

    public Containerd containerd() {
        return cd;
    }

    public Path fifoDir() {
        return fifoDir;
    }

    public Collection<LiveContainer> all() {
        return byId.values();
    }

    /** The container a full ID, a name or a unique ID prefix names; 404 "No such container: ref" otherwise. */
    public LiveContainer lookup(String ref) {
        return find(ref).orElseThrow(() -> DockerApiException.notFound("No such container: %s", ref));
    }

    public Optional<LiveContainer> find(String ref) {
        if (ref == null || ref.isEmpty()) {
            return Optional.empty();
        }
        LiveContainer c = byId.get(ref);
        if (c != null) {
            return Optional.of(c);
        }
        String id = names.get(ref.startsWith("/") ? ref.substring(1) : ref);
        if (id != null && byId.containsKey(id)) {
            return Optional.of(byId.get(id));
        }
        List<LiveContainer> prefixed = byId.values().stream().filter(x -> x.id().startsWith(ref)).toList();
        if (prefixed.size() > 1) {
            throw DockerApiException.badRequest("multiple IDs found with provided prefix: %s", ref);
        }
        return prefixed.stream().findFirst();
    }

    /** The ID of a container created from the image of this ID, if any. */
    public Optional<String> usingImage(String imageId) {
        return byId.values().stream().filter(c -> c.doc().imageId().equals(imageId)).map(LiveContainer::id).findFirst();
    }

    // ---------------------------------------------------------------- create

    /** Creates a container; returns it. A missing image is 404 "No such image: busybox:latest" (the CLI then pulls). */
    public LiveContainer create(String requestedName, JsonNode body) {
        CreateRequest req = CreateRequest.parse(body);
        String imageRef = req.config().path("Image").asText();
        LocalImage image = images.require(imageRef);
        String id = newId();
        String name;
        if (requestedName == null || requestedName.isEmpty()) {
            name = claimGeneratedName(id);
        } else {
            name = requestedName;
            if (!NAME.matcher(name).matches()) {
                throw DockerApiException.badRequest("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
            }
            name = name.startsWith("/") ? name.substring(1) : name;
            String holder = names.putIfAbsent(name, id);
            if (holder != null) {
                throw DockerApiException.conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                        + "You have to remove (or rename) that container to be able to reuse that name.", name, holder);
            }
        }
        try {
            return createNamed(id, name, req, image, imageRef);
        } catch (RuntimeException e) {
            names.remove(name, id);
            throw e;
        }
    }

    private LiveContainer createNamed(String id, String name, CreateRequest req, LocalImage image, String imageRef) {
        String networkMode = req.networkMode();
        if (networkMode.startsWith("container:")) {
            LiveContainer peer = lookup(networkMode.substring("container:".length()));
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
        final String mode = networkMode;
        String now = Instant.now().toString();
        List<NetworkAttachment> networks = networking.initial(mode, req.endpointsConfig());
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
            var sandbox = networking.plan(id, name, mode, config, host, networks);
            ObjectNode spec = DockerSpec.build(id, config, MountPoint.withoutVolumeBinds(host), sandbox, user, "/" + cd.namespace() + "/" + id);
            MountPoint.addTo(spec, mountPoints);
            Map<String, String> labels = new java.util.LinkedHashMap<>();
            config.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            Container c = Container.newBuilder().setId(id).setImage(image.names().isEmpty() ? imageRef : image.names().getFirst())
                    .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2").setOptions(AnyCodec.pack(Options.getDefaultInstance())))
                    .setSpec(AnyCodec.packJson(TypeUrls.OCI_SPEC, JSON.writeValueAsString(spec)))
                    .setSnapshotter(snapshotter).setSnapshotKey(id).putAllLabels(labels)
                    .putExtensions(EXTENSION, extension(doc)).build();
            cd.leased(cd.containers(), lease).create(CreateContainerRequest.newBuilder().setContainer(c).build());
        } catch (RuntimeException | IOException e) {
            if (prepared) {
                removeSnapshot(id);
            }
            deleteTree(runDir);
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
        byId.put(id, live);
        try {
            volumes.populate(live);
        } catch (RuntimeException e) {
            remove(live, true, true);
            throw e;
        }
        emit(live, "create", Map.of());
        return live;
    }

    /** The mode a run joins: container:NAME as the ID of that container, which has to be running. */
    private String runNetworkMode(ContainerDocument d) {
        String mode = CreateRequest.networkMode(d.config(), d.hostConfig());
        if (mode.startsWith("container:")) {
            String ref = mode.substring("container:".length());
            LiveContainer peer = find(ref).orElseThrow(() -> DockerApiException.notFound("No such container: %s", ref));
            if (!peer.running()) {
                throw DockerApiException.conflict("cannot join network of a non running container: %s", peer.id());
            }
            return "container:" + peer.id();
        }
        return mode;
    }

    /**
     * docker network connect: the container is on {@code network} from now on; a running one gets
     * its endpoint at once, a created or stopped one at its next start (as dockerd).
     */
    public io.jcontainerd.network.Network connect(LiveContainer c, String network, List<String> aliases) {
        io.jcontainerd.network.Network n = networking.manager().network(network);
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!NetworkMode.parse(CreateRequest.networkMode(d.config(), d.hostConfig())).getClass().equals(NetworkMode.Network.class)) {
                throw DockerApiException.badRequest("container %s uses network mode %s: it cannot be connected to other networks",
                        c.id(), CreateRequest.networkMode(d.config(), d.hostConfig()));
            }
            if (d.attachedNetworks().stream().anyMatch(a -> a.name().equals(n.name()))) {
                throw DockerApiException.conflict("endpoint with name %s already exists in network %s", d.name(), n.name());
            }
            String networkId = "";
            if (networking.sandbox(c.id()).isPresent()) {
                networkId = networking.manager().connect(cd.namespace(), c.id(), n.name(), aliases).networkId();
            }
            List<NetworkAttachment> nets = new ArrayList<>(d.attachedNetworks());
            nets.add(new NetworkAttachment(n.name(), networkId, aliases));
            c.doc(d.withNetworks(nets));
            persist(c);
        }
        return n;
    }

    /** docker network disconnect: off {@code network}, its endpoint removed if it runs. */
    public io.jcontainerd.network.Network disconnect(LiveContainer c, String network) {
        io.jcontainerd.network.Network n = networking.manager().network(network);
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (d.attachedNetworks().stream().noneMatch(a -> a.name().equals(n.name()))) {
                throw DockerApiException.notFound("container %s is not connected to network %s", c.id(), n.name());
            }
            if (networking.sandbox(c.id()).flatMap(s -> s.endpoint(n.name())).isPresent()) {
                networking.manager().disconnect(cd.namespace(), c.id(), n.name());
            }
            c.doc(d.withNetworks(d.attachedNetworks().stream().filter(a -> !a.name().equals(n.name())).toList()));
            persist(c);
        }
        return n;
    }

    private void tearDownNetwork(String id) {
        try {
            networking.tearDown(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "tearing down the network of container " + id, e);
        }
    }

    static String hostHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() ? "localhost" : h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    public Networking networking() {
        return networking;
    }

    private static String topChainId(LocalImage image) {
        if (image.diffIds().isEmpty()) {
            return "";
        }
        var chain = io.jcontainerd.supervisor.pull.ChainIds.of(
                image.diffIds().stream().map(io.jcontainerd.content.image.Digest::parse).toList());
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

    /** A random name taken for {@code id} in one step (two concurrent creates never draw the same free name). */
    private String claimGeneratedName(String id) {
        for (int i = 0; i < 100; i++) {
            String n = Names.random(RANDOM, i > 10);
            if (names.putIfAbsent(n, id) == null) {
                return n;
            }
        }
        throw DockerApiException.internal("could not find a free container name");
    }

    private Any extension(ContainerDocument doc) {
        try {
            return Any.newBuilder().setTypeUrl(EXTENSION_TYPE).setValue(ByteString.copyFrom(JSON.writeValueAsBytes(doc))).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write container document as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * A health probe's result for the run that started at {@code run}: the new health kept with
     * the container; null when that run has ended meanwhile.
     */
    public Health.Transition updateHealth(LiveContainer c, String run, java.util.function.UnaryOperator<Health> change) {
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!c.running() || !d.state().startedAt().equals(run)) {
                return null;
            }
            Health before = d.health() != null ? d.health() : new Health(Health.STARTING, 0, List.of());
            Health after = change.apply(before);
            c.doc(d.withHealth(after));
            persist(c);
            return new Health.Transition(before.status(), after.status());
        }
    }

    /** Keeps the document in the daemon's metadata (the container's extension). */
    void persist(LiveContainer c) {
        ContainerDocument d = c.doc();
        try {
            cd.containers().update(UpdateContainerRequest.newBuilder()
                    .setContainer(Container.newBuilder().setId(d.id()).putExtensions(EXTENSION, extension(d)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("extensions." + EXTENSION)).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- start and exit

    /** A client's start: a pending restart is cancelled, RestartCount starts again at 0. */
    public void start(LiveContainer c) {
        synchronized (c) {
            if (c.removing) {
                throw DockerApiException.conflict("container %s is marked for removal and cannot be started", c.id());
            }
            if (c.running()) {
                throw DockerApiException.notModified();
            }
            restarts.cancel(c);
            c.doc(c.doc().withRestarts(0, false));
            startRun(c);
        }
    }

    /** Starts a run of {@code c}: FIFOs, task, exit watcher; health back to starting. */
    void startRun(LiveContainer c) {
        synchronized (c) {
            if (c.removing) {
                throw DockerApiException.conflict("container %s is marked for removal and cannot be started", c.id());
            }
            if (c.running()) {
                throw DockerApiException.notModified();
            }
            ContainerDocument d = c.doc();
            Sandbox sandbox;
            try {
                sandbox = networking.setUp(d.id(), d.name(), runNetworkMode(d), d.config(), d.hostConfig(), d.attachedNetworks());
            } catch (RuntimeException e) {
                failedStart(c, e.getMessage());
                throw e;
            }
            d = d.withNetworks(Networking.withIds(d.attachedNetworks(), sandbox));
            Path dir = fifoDir.resolve(d.id()).resolve(Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
            ProcessStdio io;
            try {
                io = ProcessStdio.create(dir, d.tty(), d.openStdin());
                io.start(sinkOf(c), true);
            } catch (RuntimeException e) {
                tearDownNetwork(d.id());
                throw e;
            }
            long pid;
            try {
                List<Mount> rootfs = cd.snapshots().mounts(MountsRequest.newBuilder().setSnapshotter(d.snapshotter()).setKey(d.id())
                        .build()).getMountsList();
                c.taskDeleted = false;
                cd.tasks().create(CreateTaskRequest.newBuilder().setContainerId(d.id()).addAllRootfs(rootfs)
                        .setStdin(io.stdinPath()).setStdout(io.stdoutPath()).setStderr(io.stderrPath()).setTerminal(d.tty()).build());
                pid = cd.tasks().start(StartRequest.newBuilder().setContainerId(d.id()).build()).getPid();
                io.release(); // the shim holds its ends once the process started
            } catch (RuntimeException e) {
                c.taskDeleted = deleteTask(d.id());
                io.close();
                tearDownNetwork(d.id());
                throw failedStart(c, e instanceof StatusRuntimeException s ? s.getStatus().getDescription() : e.getMessage());
            }
            c.stdio = io;
            c.notifyAll();
            c.stopping = false;
            c.doc(d.withState(d.state().started(pid, Instant.now().toString())).withStdioDir(dir.toString())
                    .withHealth(HealthCheck.of(d.config()).isEmpty() ? d.health()
                            : d.health() != null ? d.health().restarted() : new Health(Health.STARTING, 0, List.of())));
            persist(c);
            watchExit(c);
        }
        emitNetworks(c, "connect", attachedNow(c));
        emit(c, "start", Map.of());
    }

    /**
     * A start that failed: as dockerd, the container keeps its "created" state with the error and
     * exit code 127 (command not found), 126 (not executable) or 128; attached clients are let go,
     * waiters told, an auto-remove container removed; the client gets the error.
     */
    private DockerApiException failedStart(LiveContainer c, String message) {
        String m = message == null ? "unknown error" : message;
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        int code = lower.contains("no such file") || lower.contains("not found") ? 127 : lower.contains("permission denied") ? 126 : 128;
        c.log.flush();
        for (OutputSink s : c.attached) {
            s.end();
        }
        ContainerDocument d = c.doc();
        ContainerState st = d.state();
        c.doc(d.withState(new ContainerState(st.status(), false, false, false, false, false, 0, code, m, st.startedAt(), st.finishedAt())));
        persist(c);
        var f = c.nextExit;
        c.nextExit = new java.util.concurrent.CompletableFuture<>();
        f.complete(code);
        if (d.autoRemove()) {
            Thread.ofVirtual().start(() -> remove(c, true, true));
        }
        return DockerApiException.internal("failed to create task for container: %s", m);
    }

    private OutputSink sinkOf(LiveContainer c) {
        return new OutputSink() {
            @Override
            public void output(int stream, byte[] data) {
                try {
                    c.log.append(stream, data);
                } catch (UncheckedIOException e) {
                    LOG.warning(e.getMessage());
                }
                for (OutputSink s : c.attached) {
                    s.output(stream, data);
                }
            }

            @Override
            public void end() {
                c.log.flush();
                for (OutputSink s : c.attached) {
                    s.end();
                }
            }
        };
    }

    private void watchExit(LiveContainer c) {
        String id = c.id();
        Thread.ofVirtual().name("docker-wait-" + id.substring(0, 12)).start(() -> {
            WaitResponse w;
            try {
                w = cd.tasks().wait(WaitRequest.newBuilder().setContainerId(id).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.CANCELLED || e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                    return; // the daemon is stopping: the next start finds the task again
                }
                LOG.warning(() -> "waiting for container " + id + " failed: " + e.getStatus());
                exited(c, 255, Instant.now(), "waiting for the task failed: " + e.getStatus().getDescription());
                return;
            }
            Instant at = w.hasExitedAt() ? Instant.ofEpochSecond(w.getExitedAt().getSeconds(), w.getExitedAt().getNanos()) : Instant.now();
            exited(c, w.getExitStatus(), at, "");
        });
    }

    /** The run ended: output read to its end, task deleted, state kept, waiters told, auto-remove done. */
    void exited(LiveContainer c, int status, Instant at, String error) {
        ProcessStdio io;
        synchronized (c) {
            io = c.stdio;
        }
        // as dockerd, the endpoints and addresses go with the run: torn down while the output ends and
        // the task is deleted (neither needs the network; the process has exited), joined before
        // anything that waits for the exit is told
        java.util.concurrent.CompletableFuture<List<Networking.Attached>> network = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            synchronized (c) { // no network connect of it meanwhile
                List<Networking.Attached> attached = attachedNow(c);
                tearDownNetwork(c.id());
                return attached;
            }
        }, r -> Thread.ofVirtual().name("docker-exit-net-" + c.id().substring(0, 12)).start(r));
        if (io != null && !io.awaitEnd(Duration.ofSeconds(5))) {
            LOG.warning(() -> "output of container " + c.id() + " did not end within 5 s of its exit");
        }
        c.taskDeleted = deleteTask(c.id());
        if (io != null) {
            io.close();
        }
        String startedAt = c.doc().state().startedAt();
        List<Networking.Attached> left = network.join();
        var waiters = finishRun(c, status, at, error);
        // dockerd's order: die, disconnect, then what waited for the exit (stop's event, a restart, the removal)
        emit(c, "die", Map.of("exitCode", Integer.toString(status)));
        emitNetworks(c, "disconnect", left);
        waiters.complete(status);
        Duration ranFor = Duration.between(parseTime(startedAt), at);
        if (!c.doc().autoRemove() && restarts.afterExit(c, status, ranFor)) {
            return;
        }
        if (c.doc().autoRemove()) {
            try {
                remove(c, true, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-removing container " + c.id() + " failed", e);
            }
        }
    }

    private java.util.concurrent.CompletableFuture<Integer> finishRun(LiveContainer c, int status, Instant at, String error) {
        synchronized (c) {
            c.stdio = null;
            ContainerDocument d = c.doc();
            c.doc(d.withState(d.state().exited(status, at.toString(), error)).withStdioDir(""));
            persist(c);
            var f = c.nextExit;
            c.nextExit = new java.util.concurrent.CompletableFuture<>();
            return f;
        }
    }

    private static Instant parseTime(String t) {
        try {
            return Instant.parse(t);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** Deletes the container's task; true if it is gone (deleted now, or there was none). */
    private boolean deleteTask(String id) {
        try {
            cd.tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                LOG.warning(() -> "deleting the task of " + id + ": " + e.getStatus());
                return false;
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- stop, kill, pause, restart

    /** Stops a running container: its stop signal, then SIGKILL after {@code timeout} seconds (null: its StopTimeout or 10). */
    public void stop(LiveContainer c, Integer timeout) {
        if (c.doc().state().restarting()) {
            markStopped(c);
            restarts.cancel(c);
            emit(c, "stop", Map.of());
            return;
        }
        if (!c.running()) {
            throw DockerApiException.notModified();
        }
        markStopped(c);
        ContainerDocument d = c.doc();
        int t = timeout != null ? timeout : d.config().path("StopTimeout").isInt() ? d.config().path("StopTimeout").asInt() : 10;
        String sig = d.config().path("StopSignal").asText("");
        var exit = c.nextExit();
        c.stopping = true;
        if (d.state().paused()) {
            resume(c);
        }
        int stopSignal = Signals.parse(sig.isEmpty() ? "SIGTERM" : sig);
        signal(c, stopSignal);
        emit(c, "kill", Map.of("signal", Integer.toString(stopSignal)));
        if (t >= 0 && awaitQuietly(exit, t)) {
            emit(c, "stop", Map.of());
            return;
        }
        signal(c, 9);
        emit(c, "kill", Map.of("signal", "9"));
        if (!awaitQuietly(exit, 30)) {
            throw DockerApiException.internal("container %s did not exit within 30 s of SIGKILL", c.id());
        }
        emit(c, "stop", Map.of());
    }

    /** A client stopped or killed it: no restart policy brings it back (unless-stopped not even at daemon start). */
    private void markStopped(LiveContainer c) {
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!d.manuallyStopped() && !d.restartPolicy().none()) {
                c.doc(d.withRestarts(d.restartCount(), true));
                persist(c);
            }
        }
    }

    public void kill(LiveContainer c, String signal) {
        if (c.doc().state().restarting()) {
            throw DockerApiException.conflict("Container %s is restarting, wait until the container is running", c.id());
        }
        if (!c.running()) {
            throw DockerApiException.conflict("Container %s is not running", c.id());
        }
        int sig = Signals.parse(signal == null || signal.isEmpty() ? "SIGKILL" : signal);
        if (sig == 9 || sig == 15) {
            c.stopping = true;
            markStopped(c);
        }
        signal(c, sig);
        emit(c, "kill", Map.of("signal", Integer.toString(sig)));
    }

    private void signal(LiveContainer c, int sig) {
        try {
            cd.tasks().kill(KillRequest.newBuilder().setContainerId(c.id()).setSignal(sig).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static boolean awaitQuietly(java.util.concurrent.CompletableFuture<Integer> f, long seconds) {
        try {
            f.get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void restart(LiveContainer c, Integer timeout) {
        if (c.running() || c.doc().state().restarting()) {
            stop(c, timeout);
        }
        start(c);
        emit(c, "restart", Map.of());
    }

    public void pause(LiveContainer c) {
        synchronized (c) {
            if (!c.running()) {
                throw DockerApiException.conflict("Container %s is not running", c.id());
            }
            if (c.doc().state().paused()) {
                throw DockerApiException.conflict("Container %s is already paused", c.id());
            }
            cd.tasks().pause(PauseTaskRequest.newBuilder().setContainerId(c.id()).build());
            c.doc(c.doc().withState(c.doc().state().paused(true)));
            persist(c);
        }
        emit(c, "pause", Map.of());
    }

    public void unpause(LiveContainer c) {
        synchronized (c) {
            if (!c.doc().state().paused()) {
                throw DockerApiException.conflict("Container %s is not paused", c.id());
            }
            resume(c);
        }
        emit(c, "unpause", Map.of());
    }

    private void resume(LiveContainer c) {
        synchronized (c) {
            cd.tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(c.id()).build());
            c.doc(c.doc().withState(c.doc().state().paused(false)));
            persist(c);
        }
    }

    public void rename(LiveContainer c, String newName) {
        if (newName == null || !NAME.matcher(newName).matches()) {
            throw DockerApiException.badRequest("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName);
        }
        String n = newName.startsWith("/") ? newName.substring(1) : newName;
        synchronized (c) {
            String old = c.doc().name();
            if (old.equals(n)) {
                throw DockerApiException.conflict("Renaming a container with the same name as its current name");
            }
            String holder = names.putIfAbsent(n, c.id());
            if (holder != null) {
                throw DockerApiException.conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                        + "You have to remove (or rename) that container to be able to reuse that name.", n, holder);
            }
            names.remove(old, c.id());
            c.doc(c.doc().withName(n));
            persist(c);
            emit(c, "rename", Map.of("oldName", "/" + old));
        }
    }

    public void resize(LiveContainer c, int height, int width) {
        if (!c.running()) {
            throw DockerApiException.conflict("Container %s is not running", c.id());
        }
        cd.tasks().resizePty(ResizePtyRequest.newBuilder().setContainerId(c.id()).setWidth(width).setHeight(height).build());
    }

    // ---------------------------------------------------------------- remove

    /** Removes a container (a running one only with {@code force}: killed first), its snapshot and its files. */
    public boolean remove(LiveContainer c, boolean force) {
        return remove(c, force, false);
    }

    /**
     * {@link #remove(LiveContainer, boolean)}, and its anonymous volumes with {@code removeVolumes} ({@code rm -v}, {@code --rm}).
     * False when another removal of it is under way or done (that one does the work).
     */
    public boolean remove(LiveContainer c, boolean force, boolean removeVolumes) {
        synchronized (c) {
            if (c.removing) {
                return false;
            }
            if (c.running() && !force) {
                throw DockerApiException.conflict("You cannot remove a running container %s. Stop the container before attempting removal or force remove",
                        c.id());
            }
            if (c.doc().state().restarting() && !force) {
                throw DockerApiException.conflict("You cannot remove a restarting container %s. Stop the container before attempting removal or force remove",
                        c.id());
            }
            c.removing = true;
        }
        try {
            killAndDelete(c);
        } catch (RuntimeException e) {
            // a removal that failed leaves the container as it was, removable again (not "in progress" forever)
            synchronized (c) {
                c.removing = false;
            }
            throw e;
        }
        removeSnapshot(c.id());
        tearDownNetwork(c.id());
        deleteTree(Path.of(c.doc().runDir()));
        deleteTree(fifoDir.resolve(c.id()));
        byId.remove(c.id());
        names.remove(c.doc().name(), c.id());
        volumes.release(c.doc().mountPoints(), removeVolumes);
        c.removed.complete(c.doc().state().exitCode());
        emit(c, "destroy", Map.of());
        return true;
    }

    /** rm's first half: a running container is SIGKILLed and its exit awaited, then its task and record deleted. */
    private void killAndDelete(LiveContainer c) {
        restarts.forget(c.id());
        java.util.concurrent.CompletableFuture<Integer> exit;
        synchronized (c) {
            // read together: an exit's finishRun ends the running state and swaps in the next exit's future
            // under this lock, so a future taken apart from the check could be the next run's (never completed)
            exit = c.running() ? c.nextExit() : null;
        }
        if (exit != null) {
            c.stopping = true;
            String killFailed = "";
            try {
                signal(c, 9);
            } catch (StatusRuntimeException e) {
                // it may have exited between the check and the kill (testcontainers' kill then rm -f): its exit is awaited below either way
                killFailed = " (the kill was answered " + e.getStatus() + ")";
            }
            emit(c, "kill", Map.of("signal", "9"));
            if (!awaitQuietly(exit, 30)) {
                throw DockerApiException.internal("could not kill running container %s: it did not exit within 30 s of SIGKILL%s", c.id(), killFailed);
            }
        }
        if (!c.taskDeleted) {
            deleteTask(c.id());
        }
        try {
            cd.containers().delete(DeleteContainerRequest.newBuilder().setId(c.id()).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /**
     * A client's {@code DELETE /containers/{ref}}: as dockerd, a second client removing the same
     * container meanwhile gets 409 "removal of container ref is already in progress", and one that
     * comes after it is gone 404 "No such container: ref".
     */
    public void removeByClient(String ref, boolean force, boolean removeVolumes) {
        LiveContainer c = lookup(ref);
        if (!remove(c, force, removeVolumes)) {
            if (c.removed.isDone()) {
                throw DockerApiException.notFound("No such container: %s", ref);
            }
            throw DockerApiException.conflict("removal of container %s is already in progress", ref);
        }
    }

    private void removeSnapshot(String id) {
        try {
            cd.snapshots().remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(id).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                LOG.warning(() -> "removing snapshot " + id + ": " + e.getStatus());
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warning(() -> "removing " + dir + ": " + e.getMessage());
        }
    }

    /** The container's OCI spec as stored (for exec's process defaults). */
    public JsonNode spec(LiveContainer c) {
        Container got = cd.containers().get(GetContainerRequest.newBuilder().setId(c.id()).build()).getContainer();
        try {
            return JSON.readTree(AnyCodec.jsonOf(got.getSpec()));
        } catch (IOException e) {
            throw DockerApiException.internal("the spec of container %s is not JSON: %s", c.id(), e.getMessage());
        }
    }

    /** The mounts of the container's snapshot (for reading its /etc/passwd). */
    public List<Mount> rootfs(LiveContainer c) {
        return cd.snapshots().mounts(MountsRequest.newBuilder().setSnapshotter(c.doc().snapshotter()).setKey(c.id()).build()).getMountsList();
    }

    // ---------------------------------------------------------------- daemon start

    /**
     * Finds the facade's containers again after a daemon start: documents from the metadata;
     * a task still running gets its output readers and exit watcher back; one that ended while
     * the daemon was away is recorded as exited with its status.
     */
    public void recover() {
        for (Container c : cd.containers().list(ListContainersRequest.getDefaultInstance()).getContainersList()) {
            Any ext = c.getExtensionsMap().get(EXTENSION);
            if (ext == null) {
                continue;
            }
            ContainerDocument doc;
            try {
                doc = JSON.readValue(ext.getValue().toByteArray(), ContainerDocument.class);
            } catch (IOException e) {
                LOG.warning(() -> "container " + c.getId() + " has an unreadable docker document, skipped: " + e.getMessage());
                continue;
            }
            LiveContainer live = new LiveContainer(doc);
            byId.put(doc.id(), live);
            names.put(doc.name(), doc.id());
            recoverRun(live);
        }
        for (LiveContainer c : byId.values()) {
            if (c.doc().networks() == null) { // written before the networks were kept: from its endpoints, or its mode
                ContainerDocument d = c.doc();
                List<NetworkAttachment> nets;
                try {
                    nets = networking.sandbox(d.id()).filter(s -> !s.endpoints().isEmpty())
                            .map(s -> s.endpoints().stream().map(e -> new NetworkAttachment(e.network(), e.networkId(), e.aliases())).toList())
                            .orElseGet(() -> networking.initial(CreateRequest.networkMode(d.config(), d.hostConfig()), JSON.createObjectNode()));
                } catch (RuntimeException e) {
                    nets = List.of();
                }
                c.doc(d.withNetworks(nets));
                persist(c);
            }
        }
        // networks of containers removed or stopped while the daemon was away (other namespaces' are not
        // ours to judge): as dockerd, a container has its endpoints only while it runs
        networking.manager().tearDownUnless(s -> !s.namespace().equals(cd.namespace())
                || (byId.containsKey(s.containerId()) && byId.get(s.containerId()).running()));
        // a container that does not run has no network (each start sets it up again): a pin of one is a cut-short set-up
        networking.manager().removeUnrecorded(cd.namespace(), id -> byId.containsKey(id) && byId.get(id).running())
                .forEach(id -> LOG.info(() -> "removed the network namespace of container " + id + " whose create a daemon crash cut short"));
        removeOrphans();
        for (LiveContainer c : List.copyOf(byId.values())) {
            ContainerDocument d = c.doc();
            ContainerState st = d.state();
            boolean startedBefore = !st.startedAt().equals(ContainerState.ZERO_TIME);
            if (!c.running() && startedBefore && !c.removing
                    && d.restartPolicy().restartsAtDaemonStart(st.exitCode(), d.manuallyStopped(), d.restartCount())) {
                LOG.info(() -> "restart policy " + d.restartPolicy().name() + ": starting container " + d.id() + " again");
                restarts.schedule(c, Duration.ZERO, true);
            }
        }
    }

    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    /**
     * What a create or start cut short by a daemon crash left behind (nothing else runs while the
     * daemon starts): the create's lease, the active snapshot named for a container that was never
     * recorded, its directory, FIFO directories of runs that never started.
     */
    private void removeOrphans() {
        try {
            for (var l : cd.leases().list(io.jcontainerd.api.services.leases.v1.ListRequest.getDefaultInstance()).getLeasesList()) {
                if (l.getId().startsWith("docker-create-")) {
                    cd.leases().delete(DeleteRequest.newBuilder().setId(l.getId()).build());
                }
            }
            var pages = cd.snapshots().list(io.jcontainerd.api.services.snapshots.v1.ListSnapshotsRequest.newBuilder().setSnapshotter(snapshotter).build());
            List<String> orphans = new ArrayList<>();
            pages.forEachRemaining(page -> page.getInfoList().stream()
                    .filter(i -> i.getKind() == io.jcontainerd.api.services.snapshots.v1.Kind.ACTIVE)
                    .map(io.jcontainerd.api.services.snapshots.v1.Info::getName)
                    .filter(n -> CONTAINER_ID.matcher(n).matches() && !byId.containsKey(n)).forEach(orphans::add));
            for (String key : orphans) {
                LOG.info(() -> "removing snapshot " + key + " of a container whose create a daemon crash cut short");
                removeSnapshot(key);
            }
        } catch (StatusRuntimeException e) {
            LOG.warning(() -> "looking for what interrupted creates left: " + e.getStatus());
        }
        for (Path dir : children(containersDir)) {
            if (!byId.containsKey(dir.getFileName().toString())) {
                deleteTree(dir);
            }
        }
        for (Path dir : children(fifoDir)) {
            LiveContainer c = byId.get(dir.getFileName().toString());
            if (c == null) {
                deleteTree(dir);
                continue;
            }
            for (Path run : children(dir)) {
                if (!run.toString().equals(c.doc().stdioDir())) {
                    deleteTree(run);
                }
            }
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            LOG.warning(() -> "cannot list " + dir + ": " + e.getMessage());
            return List.of();
        }
    }

    private void recoverRun(LiveContainer c) {
        ContainerDocument d = c.doc();
        io.jcontainerd.api.types.task.Process p;
        try {
            p = cd.tasks().get(GetRequest.newBuilder().setContainerId(d.id()).build()).getProcess();
        } catch (StatusRuntimeException e) {
            if (d.state().running()) {
                finishRun(c, 255, Instant.now(), "the task was gone after a daemon restart");
            }
            return;
        }
        switch (p.getStatus()) {
            case RUNNING, PAUSED, PAUSING -> {
                if (!d.stdioDir().isEmpty() && Files.isDirectory(Path.of(d.stdioDir()))) {
                    ProcessStdio io = ProcessStdio.existing(Path.of(d.stdioDir()), d.tty(), d.openStdin());
                    io.start(sinkOf(c), false);
                    c.stdio = io;
                }
                if (!d.state().running()) {
                    c.doc(d.withState(d.state().started(p.getPid(), Instant.now().toString())));
                }
                watchExit(c);
            }
            default -> {
                Instant at = p.hasExitedAt() ? Instant.ofEpochSecond(p.getExitedAt().getSeconds(), p.getExitedAt().getNanos()) : Instant.now();
                deleteTask(d.id());
                if (!d.stdioDir().isEmpty()) {
                    deleteTree(Path.of(d.stdioDir()));
                }
                finishRun(c, p.getExitStatus(), at, "");
                if (d.autoRemove()) {
                    remove(c, true, true);
                }
            }
        }
    }
}
