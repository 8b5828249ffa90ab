package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.PodSandbox;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.api.cri.v1.PodSandboxFilter;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.NetworkMode;
import io.jcontainerd.network.PortMapping;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.network.SandboxRequest;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.tasks.ProcessState;
import io.jcontainerd.supervisor.tasks.TaskManager;
import io.jcontainerd.supervisor.tasks.TaskSpec;

import io.jcontainerd.snapshot.mount.Mounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Pod sandboxes: a pause container (the configured sandbox image, pulled when missing) in
 * namespaces of its own that the pod's containers join — a network namespace set up by the
 * network module on the default bridge network (or the host's for hostNetwork), IPC, UTS with the
 * pod's hostname, and a PID namespace unless the pod uses the host's.
 */
public final class PodSandboxes {
    private static final Logger LOG = Logger.getLogger(PodSandboxes.class.getName());
    static final int SIGKILL = 9;
    private final CriRecords records;
    private final TaskManager tasks;
    private final NamespacedSnapshots snapshots;
    private final CriImages images;
    private final Supplier<NetworkManager> network;
    private final String sandboxImage;
    private final Clock clock;
    private final NodeLsm lsm = NodeLsm.current();
    private final Mounter mounter = Mounter.linux();
    private final Path sandboxDirs;
    private PodContainers containers;
    private final OomScoreFloor oomScoreFloor;
    /** The pause process of each pod this daemon started or asked its shim about: {@link #runningPausePid} reads /proc. */
    private final Map<String, PauseProcess> pauses = new ConcurrentHashMap<>();

    /** @param sandboxDirs where each pod's own files are ({@code <state>/cri/sandboxes/<id>/shm}, its /dev/shm tmpfs) */
    public PodSandboxes(CriRecords records, TaskManager tasks, NamespacedSnapshots snapshots, CriImages images,
                        Supplier<NetworkManager> network, String sandboxImage, OomScoreFloor oomScoreFloor, Path sandboxDirs, Clock clock) {
        this.sandboxDirs = sandboxDirs;
        this.oomScoreFloor = oomScoreFloor;
        this.records = records;
        this.tasks = tasks;
        this.snapshots = snapshots;
        this.images = images;
        this.network = network;
        this.sandboxImage = sandboxImage;
        this.clock = clock;
    }

    /** What restrict_oom_score_adj leaves of the oom_score_adj a pod's containers ask for. */
    OomScoreFloor oomScoreFloor() {
        return oomScoreFloor;
    }

    void containers(PodContainers containers) {
        this.containers = containers;
    }

    /** RunPodSandbox: returns the new sandbox's id once its pause container runs. */
    public String run(PodSandboxConfig config, String runtimeHandler) {
        var md = config.getMetadata();
        if (md.getName().isEmpty() || md.getUid().isEmpty() || md.getNamespace().isEmpty()) {
            throw JcdException.invalidArgument("sandbox metadata needs a name, a uid and a namespace, got name=\"%s\" uid=\"%s\" namespace=\"%s\"",
                    md.getName(), md.getUid(), md.getNamespace());
        }
        if (!runtimeHandler.isEmpty()) {
            throw JcdException.notFound("runtime handler \"%s\" is unknown: jcontainerd has only the default handler (\"\")", runtimeHandler);
        }
        for (ContainerRecord r : records.all("sandbox")) {
            var other = CriRecords.config(r, PodSandboxConfig.parser()).getMetadata();
            if (other.getName().equals(md.getName()) && other.getNamespace().equals(md.getNamespace())
                    && other.getUid().equals(md.getUid()) && other.getAttempt() == md.getAttempt()) {
                throw JcdException.alreadyExists("pod sandbox %s_%s_%s_%d already exists as %s: remove it first",
                        md.getName(), md.getNamespace(), md.getUid(), md.getAttempt(), r.id());
            }
        }
        CriImage image = images.find(sandboxImage).orElseGet(() -> images.pull(sandboxImage));
        String id = CriRecords.newId();
        boolean hostNetwork = config.getLinux().getSecurityContext().getNamespaceOptions().getNetwork() == NamespaceMode.NODE;
        List<Runnable> undo = new ArrayList<>();
        PodNetworkSetUp netSetUp = null;
        try {
            // the CNI plugins run while the pod is recorded and its pause container created in the namespace
            netSetUp = PodNetworkSetUp.start(network.get(), request(id, config, hostNetwork));
            undo.add(netSetUp::tearDown);
            if (!hostIpc(config)) {
                // the pod's /dev/shm: one tmpfs every container of the pod mounts (containerd's sandbox shm)
                Path shm = sandboxDirs.resolve(id).resolve("shm");
                try {
                    Files.createDirectories(shm);
                } catch (IOException e) {
                    throw JcdException.of(ErrorKind.UNKNOWN, "cannot make " + shm + " for the pod's /dev/shm: " + e.getMessage(), e);
                }
                undo.add(() -> removeSandboxDir(id));
                mounter.mount(new Mount("tmpfs", "shm", "", List.of("nosuid", "nodev", "noexec", "mode=1777", "size=65536k")), shm);
                undo.add(() -> mounter.unmountAll(shm));
            }
            Sandbox net = netSetUp.namespaceReady();
            SandboxState state = new SandboxState(CriRecords.nanos(clock.instant()), hostNetwork,
                    net.netnsPath() == null ? "" : net.netnsPath(), "", net.hostsPath(), net.resolvConfPath(), net.hostnamePath());
            byte[] spec = PodSpecs.sandbox(id, config, image.config(), state.network(), hostNetwork, lsm, devShm(id, config), oomScoreFloor);
            PodCgroup podCgroup = PodCgroup.of("pod sandbox " + md.getName(), config.getLinux());
            if (podCgroup != null) {
                undo.add(podCgroup::remove);
                podCgroup.apply();
            }
            Map<String, String> labels = new HashMap<>(config.getLabelsMap());
            labels.put(CriNames.KIND_LABEL, "sandbox");
            // the pause's rootfs snapshot and the pod's record, written together (one sync)
            ContainerRecord record = new ContainerRecord(id, labels, image.name(), CriNames.TASK_RUNTIME, null,
                    new Opaque(TypeUrls.OCI_SPEC, spec), images.snapshotter(), id, CriRecords.extensions(config, state), "", null, null);
            List<Mount> rootfs = records.createWithSnapshot(snapshots, images.snapshotter(), id, image.topChainId(), mounts -> record).rootfs();
            undo.add(() -> records.delete(id));
            undo.add(() -> snapshots.remove(CriNames.NAMESPACE, images.snapshotter(), id));
            // the pod's address, known once the CNI plugins have run, is saved while the pause container is created
            CompletableFuture<Sandbox> addressSaved = netSetUp.afterwards(done -> saveAddress(id, state, done));
            undo.add(() -> addressSaved.handle((ok, failed) -> null).join());
            tasks.create(CriNames.NAMESPACE, new TaskSpec(id, rootfs, "", "", "", false, null));
            undo.add(() -> stopPause(id)); // killed first: it runs when the network fails after its start
            PauseProcess.of(tasks.start(CriNames.NAMESPACE, id, "")).ifPresent(p -> pauses.put(id, p));
            String ip = address(PodNetworkSetUp.join(addressSaved));
            LOG.info(() -> "pod sandbox " + id + " (" + md.getNamespace() + "/" + md.getName() + ") runs, ip " + ip);
            return id;
        } catch (RuntimeException | Error e) { // an Error too (a class that fails to load): nothing half-made stays
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            // a network that failed after its namespace was made fails what ran in it meanwhile: its error is the cause
            RuntimeException netFailure = netSetUp == null ? null : netSetUp.failure().orElse(null);
            if (netFailure != null && netFailure != e) {
                netFailure.addSuppressed(e);
                throw netFailure;
            }
            throw e;
        }
    }

    private static String address(Sandbox net) {
        return net.endpoints().isEmpty() ? "" : net.endpoints().getFirst().address();
    }

    /** Keeps the pod's address in its state, once its network is set up (nothing to keep without one: hostNetwork). */
    private void saveAddress(String id, SandboxState state, Sandbox net) {
        String ip = address(net);
        if (!ip.isEmpty()) {
            records.saveState(records.get(id, "sandbox"), new SandboxState(state.createdAt(), state.hostNetwork(), state.netnsPath(), ip,
                    state.hostsPath(), state.resolvConfPath(), state.hostnamePath()));
        }
    }

    private static SandboxRequest request(String id, PodSandboxConfig config, boolean hostNetwork) {
        List<PortMapping> ports = new ArrayList<>();
        for (var p : config.getPortMappingsList()) {
            if (p.getHostPort() > 0) {
                ports.add(new PortMapping(p.getHostIp(), p.getHostPort(), p.getContainerPort(), p.getProtocol().name().toLowerCase(Locale.ROOT)));
            }
        }
        var dns = config.getDnsConfig();
        return SandboxRequest.of(CriNames.NAMESPACE, id, hostNetwork ? NetworkMode.HOST : NetworkMode.BRIDGE)
                .withHostname(config.getHostname(), "")
                .withPorts(ports)
                .withDns(dns.getServersList(), dns.getSearchesList(), dns.getOptionsList());
    }

    /** StopPodSandbox: its containers are killed, the pause container stopped and removed, the network torn down. Idempotent. */
    public void stop(String id) {
        Optional<ContainerRecord> r = records.find(id, "sandbox");
        if (r.isEmpty()) {
            throw JcdException.notFound("pod sandbox %s not found", id);
        }
        for (ContainerRecord c : records.all("container")) {
            if (c.sandbox().equals(id)) {
                containers.stop(c.id(), 0);
            }
        }
        stopPause(id);
        mounter.unmountAll(sandboxDirs.resolve(id).resolve("shm"));
        network.get().tearDown(CriNames.NAMESPACE, id);
    }

    private static boolean hostIpc(PodSandboxConfig config) {
        return config.getLinux().getSecurityContext().getNamespaceOptions().getIpc() == NamespaceMode.NODE;
    }

    /** The host path of the pod's /dev/shm: its own tmpfs, or the host's for a pod in the host's IPC namespace. */
    String devShm(String id, PodSandboxConfig config) {
        return hostIpc(config) ? "/dev/shm" : sandboxDirs.resolve(id).resolve("shm").toString();
    }

    private void removeSandboxDir(String id) {
        Path dir = sandboxDirs.resolve(id);
        try {
            Files.deleteIfExists(dir.resolve("shm"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private void stopPause(String id) {
        pauses.remove(id);
        if (!tasks.exists(CriNames.NAMESPACE, id)) {
            return;
        }
        try {
            if (tasks.get(CriNames.NAMESPACE, id, "").status() != ProcessState.Status.STOPPED) {
                tasks.kill(CriNames.NAMESPACE, id, "", SIGKILL, true);
                tasks.waitFor(CriNames.NAMESPACE, id, "");
            }
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
        }
        tasks.delete(CriNames.NAMESPACE, id);
    }

    /** RemovePodSandbox: stops it if needed, removes its containers, its pause container and snapshot. Idempotent. */
    public void remove(String id) {
        if (records.find(id, "sandbox").isEmpty()) {
            return;
        }
        stop(id);
        for (ContainerRecord c : records.all("container")) {
            if (c.sandbox().equals(id)) {
                containers.remove(c.id());
            }
        }
        records.find(id, "sandbox").ifPresent(r -> {
            PodCgroup podCgroup = PodCgroup.of("pod sandbox " + id, CriRecords.config(r, PodSandboxConfig.parser()).getLinux());
            records.deleteWithSnapshot(r, snapshots);
            if (podCgroup != null) {
                List<String> left = podCgroup.remove();
                if (!left.isEmpty()) {
                    LOG.warning(() -> "pod sandbox " + id + ": its cgroup is left: " + left);
                }
            }
        });
        removeSandboxDir(id);
        pauses.remove(id);
    }

    /**
     * UpdatePodSandboxResources (in-place pod resize): the pod's new resources and overhead written to
     * its cgroup (as at RunPodSandbox: memory limit, CPU quota and shares of both together) and kept
     * in its config; a field not given keeps its value. A pod without a cgroup parent is refused, there
     * being no pod cgroup to write.
     */
    public void updateResources(String id, io.jcontainerd.api.cri.v1.LinuxContainerResources overhead,
                                io.jcontainerd.api.cri.v1.LinuxContainerResources resources, boolean hasOverhead, boolean hasResources) {
        ContainerRecord r = records.get(id, "sandbox");
        PodSandboxConfig config = CriRecords.config(r, PodSandboxConfig.parser());
        var linux = config.getLinux().toBuilder();
        if (hasResources) {
            linux.setResources(resources);
        }
        if (hasOverhead) {
            linux.setOverhead(overhead);
        }
        if (config.getLinux().getCgroupParent().isEmpty()) {
            throw JcdException.failedPrecondition("pod sandbox %s has no cgroup parent: there is no pod cgroup to resize "
                    + "(run the pod with cgroup_parent, as kubelet does)", id);
        }
        PodCgroup cgroup = PodCgroup.of("pod sandbox " + id, linux.build());
        if (cgroup != null) {
            cgroup.apply();
        }
        records.saveConfig(r, config.toBuilder().setLinux(linux).build());
    }

    /** The sandbox's record, config and state, with whether its pause container runs. */
    public View view(String id) {
        return view(records.get(id, "sandbox"));
    }

    private View view(ContainerRecord r) {
        return view(r, ready(r.id()) ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY);
    }

    private static View view(ContainerRecord r, PodSandboxState ready) {
        PodSandboxConfig config = CriRecords.config(r, PodSandboxConfig.parser());
        SandboxState state = CriRecords.state(r, SandboxState.class);
        return new View(r, config, state, ready);
    }

    /** A ready sandbox and its pause container's pid. */
    record Running(View view, int pausePid) {}

    /**
     * The sandbox, which must be ready, and its pause container's pid: one record read and one State call
     * to the shim (CreateContainer's path); FailedPrecondition when it is not ready.
     */
    Running running(String id) {
        ContainerRecord r = records.get(id, "sandbox");
        int pid = runningPausePid(id).orElseThrow(() -> notReady(id));
        return new Running(view(r, PodSandboxState.SANDBOX_READY), pid);
    }

    /** A sandbox as ListPodSandbox and PodSandboxStatus show it. */
    public record View(ContainerRecord record, PodSandboxConfig config, SandboxState state, PodSandboxState ready) {
        public String id() {
            return record.id();
        }

        public long createdAt() {
            return state.createdAt();
        }

        public String ip() {
            return state.ip();
        }

        public boolean hostNetwork() {
            return state.hostNetwork();
        }

        public String netnsPath() {
            return state.netnsPath();
        }
    }

    /** The sandbox's status as PodSandboxStatus answers it (state, times, namespaces, labels, annotations, IP). */
    public io.jcontainerd.api.cri.v1.PodSandboxStatus status(View v) {
        var s = io.jcontainerd.api.cri.v1.PodSandboxStatus.newBuilder().setId(v.id()).setMetadata(v.config().getMetadata())
                .setState(v.ready()).setCreatedAt(v.createdAt())
                .setLinux(io.jcontainerd.api.cri.v1.LinuxPodSandboxStatus.newBuilder().setNamespaces(io.jcontainerd.api.cri.v1.Namespace.newBuilder()
                        .setOptions(v.config().getLinux().getSecurityContext().getNamespaceOptions())))
                .putAllLabels(v.config().getLabelsMap()).putAllAnnotations(v.config().getAnnotationsMap());
        if (!v.hostNetwork() && !v.ip().isEmpty()) {
            s.setNetwork(io.jcontainerd.api.cri.v1.PodSandboxNetworkStatus.newBuilder().setIp(v.ip()));
        }
        return s.build();
    }

    boolean ready(String id) {
        return runningPausePid(id).isPresent();
    }

    /**
     * The pid of the sandbox's pause container when it runs; empty otherwise. Known from its start (or an
     * earlier answer of its shim), that pid alive with its start time is the answer; else one State call
     * to its shim (a pod of a daemon before a restart), whose running pid is kept for the next time.
     */
    private OptionalInt runningPausePid(String id) {
        if (!tasks.exists(CriNames.NAMESPACE, id)) {
            return OptionalInt.empty();
        }
        PauseProcess known = pauses.get(id);
        if (known != null) {
            return known.alive() ? OptionalInt.of(known.pid()) : OptionalInt.empty();
        }
        try {
            ProcessState ps = tasks.get(CriNames.NAMESPACE, id, "");
            if (ps.status() != ProcessState.Status.RUNNING) {
                return OptionalInt.empty();
            }
            PauseProcess.of(ps.pid()).ifPresent(p -> pauses.putIfAbsent(id, p));
            return OptionalInt.of(ps.pid());
        } catch (JcdException e) {
            return OptionalInt.empty();
        }
    }

    /** The pid of the sandbox's running pause container; FailedPrecondition when it is not ready. */
    int pausePid(String id) {
        records.get(id, "sandbox");
        return runningPausePid(id).orElseThrow(() -> notReady(id));
    }

    private static JcdException notReady(String id) {
        return JcdException.failedPrecondition("pod sandbox %s is not ready (its pause container does not run): run a new sandbox", id);
    }

    public List<PodSandbox> list(PodSandboxFilter filter) {
        List<PodSandbox> out = new ArrayList<>();
        for (ContainerRecord r : records.all("sandbox")) {
            if (!filter.getId().isEmpty() && !r.id().startsWith(filter.getId())) {
                continue;
            }
            View v = view(r);
            if (CriFilters.sandboxMatches(filter, v.id(), v.ready(), v.config().getLabelsMap())) {
                out.add(PodSandbox.newBuilder().setId(v.id()).setMetadata(v.config().getMetadata()).setState(v.ready())
                        .setCreatedAt(v.createdAt()).putAllLabels(v.config().getLabelsMap())
                        .putAllAnnotations(v.config().getAnnotationsMap()).build());
            }
        }
        return out;
    }
}
