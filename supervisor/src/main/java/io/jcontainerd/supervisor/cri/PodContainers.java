package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.Container;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.ContainerFilter;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStatus;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.supervisor.tasks.Exit;
import io.jcontainerd.supervisor.tasks.ProcessState;
import io.jcontainerd.supervisor.tasks.TaskManager;
import io.jcontainerd.supervisor.tasks.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Containers in a pod: made from an image's config and the CRI config, run in the pod's
 * namespaces, their output written to the log file kubelet names in the CRI format
 * ({@link CriLogWriter}), stopped with the stop signal then SIGKILL after the timeout.
 */
public final class PodContainers {
    private static final Logger LOG = Logger.getLogger(PodContainers.class.getName());
    private static final int SIGTERM = 15;
    /** ExecSync output beyond this is discarded (CVE-2022-1708), as containerd does. */
    static final int MAX_EXEC_OUTPUT = 16 << 20;
    private final CriRecords records;
    private final TaskManager tasks;
    private final NamespacedSnapshots snapshots;
    private final CriImages images;
    private final PodSandboxes sandboxes;
    private final Path ioDir;
    /** containerd's device_ownership_from_security_context: devices owned by the container's runAsUser/runAsGroup */
    private final boolean deviceOwnershipFromSecurityContext;
    private final Clock clock;
    private final NodeLsm lsm = NodeLsm.current();
    private final Map<String, ContainerLog> logs = new ConcurrentHashMap<>();
    /**
     * Containers whose StartContainer runs: their started state is saved while their task is made, so
     * until the task exists {@link #status} shows them CREATED, not EXITED for a task that is gone.
     */
    private final Set<String> starting = ConcurrentHashMap.newKeySet();

    /** @param ioDir where the FIFOs of containers and execs are made ({@code <state>/cri/io}) */
    public PodContainers(CriRecords records, TaskManager tasks, NamespacedSnapshots snapshots, CriImages images, PodSandboxes sandboxes,
                         Path ioDir, boolean deviceOwnershipFromSecurityContext, Clock clock) {
        this.records = records;
        this.deviceOwnershipFromSecurityContext = deviceOwnershipFromSecurityContext;
        this.tasks = tasks;
        this.snapshots = snapshots;
        this.images = images;
        this.sandboxes = sandboxes;
        this.ioDir = ioDir;
        this.clock = clock;
        sandboxes.containers(this);
    }

    /**
     * After a daemon restart: the output copy of every running container (into its log file, if any) starts again
     * from its FIFOs (the shim kept their write ends), so what it wrote meanwhile (up to the pipe's
     * 64 KiB) is logged and its writes no longer block. Returns how many were reattached.
     */
    public int reattachLogs() {
        int n = 0;
        for (ContainerRecord r : records.all("container")) {
            CriContainerState state = CriRecords.state(r, CriContainerState.class);
            Path dir = ioDir.resolve(r.id());
            if (logs.containsKey(r.id()) || !Files.exists(dir.resolve("stdout"))) {
                continue;
            }
            try {
                if (!tasks.exists(CriNames.NAMESPACE, r.id()) || tasks.get(CriNames.NAMESPACE, r.id(), "").status() != ProcessState.Status.RUNNING) {
                    continue;
                }
                logs.put(r.id(), ContainerLog.start(new Fifos(dir, dir.resolve("stdout"), dir.resolve("stderr")),
                        state.logPath().isEmpty() ? null : Path.of(state.logPath()), r.id()));
                n++;
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "container " + r.id() + ": cannot reattach its log copy to " + state.logPath() + ": " + e.getMessage());
            }
        }
        return n;
    }

    /** CreateContainer: the container and its rootfs snapshot; nothing runs until {@link #start}. */
    public String create(String sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        String name = config.getMetadata().getName();
        if (name.isEmpty()) {
            throw JcdException.invalidArgument("container metadata needs a name");
        }
        PodSandboxes.Running running = sandboxes.running(sandboxId);
        PodSandboxes.View pod = running.view();
        int pausePid = running.pausePid();
        for (ContainerRecord r : records.all("container")) {
            if (r.sandbox().equals(sandboxId)) {
                var other = CriRecords.config(r, ContainerConfig.parser()).getMetadata();
                if (other.getName().equals(name) && other.getAttempt() == config.getMetadata().getAttempt()) {
                    throw JcdException.alreadyExists("container %s (attempt %d) already exists in pod sandbox %s as %s: remove it first",
                            name, other.getAttempt(), sandboxId, r.id());
                }
            }
        }
        CriImage image = images.get(config.getImage().getImage());
        String id = CriRecords.newId();
        String logPath = "";
        if (!config.getLogPath().isEmpty() && !pod.config().getLogDirectory().isEmpty()) {
            logPath = Path.of(pod.config().getLogDirectory()).resolve(config.getLogPath()).toString();
        }
        String containerLogPath = logPath;
        // the snapshot first: the user is looked up in the image's own /etc/passwd, read from its layers; its
        // record and the container's written together (one sync), so no collection sees the snapshot without it
        records.createWithSnapshot(snapshots, images.snapshotter(), id, image.topChainId(), rootfs -> {
            byte[] spec = PodSpecs.container(id, sandboxId, config, pod.config(), image.config(), pod.state().network(), pod.hostNetwork(),
                    pausePid, sandboxes.oomScoreFloor(), RootfsUsers.of(rootfs), lsm,
                    sandboxes.devShm(sandboxId, pod.config()), deviceOwnershipFromSecurityContext);
            Map<String, String> labels = new HashMap<>(config.getLabelsMap());
            labels.put(CriNames.KIND_LABEL, "container");
            CriContainerState state = new CriContainerState(sandboxId, image.id(), image.name(), containerLogPath,
                    CriRecords.nanos(clock.instant()), 0, 0, 0, "");
            return new ContainerRecord(id, labels, image.name(), CriNames.TASK_RUNTIME, null,
                    new Opaque(TypeUrls.OCI_SPEC, spec), images.snapshotter(), id, CriRecords.extensions(config, state), sandboxId, null, null);
        });
        return id;
    }

    /**
     * StartContainer: creates and starts its task, its output copied to its log file. The started state
     * is saved while the task is made and started (its synced write off the call's path); a start that
     * fails puts the state back. A crash between that save and the task leaves a started container
     * without a task, which shows EXITED (as containerd's CRI marks a start that failed) and is
     * replaced, not started again.
     */
    public void start(String id) {
        ContainerRecord r = records.get(id, "container");
        CriContainerState state = CriRecords.state(r, CriContainerState.class);
        ContainerConfig config = CriRecords.config(r, ContainerConfig.parser());
        if (state.startedAt() != 0 || tasks.exists(CriNames.NAMESPACE, id)) {
            throw JcdException.failedPrecondition("container %s was already started: create a new one", id);
        }
        sandboxes.pausePid(state.sandboxId());
        if (!starting.add(id)) {
            throw JcdException.failedPrecondition("container %s is being started by another call", id);
        }
        Fifos fifos = null;
        ContainerLog log = null;
        boolean created = false;
        CompletableFuture<Void> saved = null;
        try {
            // always FIFOs: Attach taps the output even when kubelet names no log file
            fifos = Fifos.create(ioDir.resolve(id));
            try {
                log = ContainerLog.start(fifos, state.logPath().isEmpty() ? null : Path.of(state.logPath()), id);
            } catch (IOException e) {
                throw JcdException.failedPrecondition("container %s: cannot open its log file %s: %s", id, state.logPath(), e.getMessage());
            }
            String in = config.getStdin() ? Fifos.createStdin(fifos.dir()).toString() : "";
            List<Mount> rootfs = snapshots.mounts(CriNames.NAMESPACE, r.snapshotter(), r.snapshotKey());
            String out = fifos.stdout().toString();
            String err = config.getTty() ? "" : fifos.stderr().toString();
            CriContainerState started = state.started(CriRecords.nanos(clock.instant()));
            saved = CompletableFuture.runAsync(() -> records.saveState(r, started), t -> Thread.ofVirtual().name("cri-started-" + id).start(t));
            tasks.create(CriNames.NAMESPACE, new TaskSpec(id, rootfs, in, out, err, config.getTty(), null));
            created = true;
            tasks.start(CriNames.NAMESPACE, id, "");
            join(saved);
            if (log != null) {
                logs.put(id, log);
            }
        } catch (RuntimeException e) {
            if (saved != null && savedState(saved)) {
                try {
                    records.saveState(r, state);
                } catch (RuntimeException putBack) {
                    e.addSuppressed(putBack);
                }
            }
            if (created) {
                try {
                    tasks.delete(CriNames.NAMESPACE, id);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (log != null) {
                log.close();
            }
            if (fifos != null) {
                fifos.delete();
            }
            throw e;
        } finally {
            starting.remove(id);
        }
    }

    private static void join(CompletableFuture<Void> saved) {
        try {
            saved.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** Whether the started state was saved: waits for its write to end. */
    private static boolean savedState(CompletableFuture<Void> saved) {
        return saved.handle((ok, failed) -> failed == null).join();
    }

    /**
     * StopContainer: the stop signal (the image's StopSignal, else SIGTERM), then SIGKILL after
     * {@code timeoutSeconds}; its exit is recorded and its task deleted. Idempotent.
     */
    public void stop(String id, long timeoutSeconds) {
        ContainerRecord r = records.get(id, "container");
        if (!tasks.exists(CriNames.NAMESPACE, id)) {
            return;
        }
        ProcessState ps = tasks.get(CriNames.NAMESPACE, id, "");
        if (ps.status() == ProcessState.Status.RUNNING || ps.status() == ProcessState.Status.PAUSED) {
            boolean exited = false;
            if (timeoutSeconds > 0) {
                signal(id, stopSignal(r));
                exited = awaitExit(id, Duration.ofSeconds(timeoutSeconds)).isPresent();
            }
            if (!exited) {
                signal(id, PodSandboxes.SIGKILL);
                awaitExit(id, Duration.ofSeconds(60)).orElseThrow(() -> JcdException.of(ErrorKind.DEADLINE_EXCEEDED,
                        "container " + id + " did not exit within 60 s of SIGKILL", null));
            }
        }
        finish(r);
    }

    /** Records the exit of a stopped task, deletes the task and ends the log copy. */
    private void finish(ContainerRecord r) {
        String id = r.id();
        ProcessState ps = tasks.get(CriNames.NAMESPACE, id, "");
        Exit exit = ps.status() == ProcessState.Status.CREATED ? null : tasks.waitFor(CriNames.NAMESPACE, id, "");
        boolean oomKilled = exit != null && cgroup(r).oomKilled(); // read before the delete removes the cgroup
        tasks.delete(CriNames.NAMESPACE, id);
        ContainerLog log = logs.remove(id);
        if (log != null) {
            log.close();
        }
        new Fifos(ioDir.resolve(id), null, null).delete();
        CriContainerState state = CriRecords.state(r, CriContainerState.class);
        if (exit != null) {
            long at = exit.at() != null ? CriRecords.nanos(exit.at()) : CriRecords.nanos(clock.instant());
            records.saveState(r, state.finished(at, exit.status(), reason(exit.status(), oomKilled)));
        }
    }

    private void signal(String id, int signal) {
        try {
            tasks.kill(CriNames.NAMESPACE, id, "", signal, false);
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.FAILED_PRECONDITION) {
                throw e;
            }
        }
    }

    private Optional<Exit> awaitExit(String id, Duration timeout) {
        return await(() -> tasks.waitFor(CriNames.NAMESPACE, id, ""), timeout);
    }

    private static <T> Optional<T> await(java.util.concurrent.Callable<T> call, Duration timeout) {
        FutureTask<T> f = new FutureTask<>(call);
        Thread t = Thread.ofVirtual().name("cri-wait").start(f);
        try {
            return Optional.of(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            t.interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while waiting for a process", e);
        }
    }

    private int stopSignal(ContainerRecord r) {
        return Signals.number(imageStopSignal(r)).orElse(SIGTERM);
    }

    private String imageStopSignal(ContainerRecord r) {
        ContainerConfig c = CriRecords.config(r, ContainerConfig.parser());
        if (c.getStopSignalValue() != 0) {
            return c.getStopSignal().name();
        }
        return images.find(CriRecords.state(r, CriContainerState.class).imageId()).map(i -> i.config().config().stopSignal()).orElse("");
    }

    /** RemoveContainer: killed if it runs, then its task, snapshot and record go. Idempotent. */
    public void remove(String id) {
        Optional<ContainerRecord> r = records.find(id, "container");
        if (r.isEmpty()) {
            return;
        }
        stop(id, 0);
        records.deleteWithSnapshot(r.get(), snapshots);
    }

    /** The statuses of the containers of pod sandbox {@code sandboxId}, as ContainerStatus answers each. */
    public List<ContainerStatus> statuses(String sandboxId) {
        List<ContainerStatus> out = new ArrayList<>();
        for (ContainerRecord r : records.all("container")) {
            if (r.sandbox().equals(sandboxId)) {
                out.add(status(r));
            }
        }
        return out;
    }

    public ContainerStatus status(String id) {
        return status(records.get(id, "container"));
    }

    private ContainerStatus status(ContainerRecord r) {
        ContainerConfig config = CriRecords.config(r, ContainerConfig.parser());
        CriContainerState s = CriRecords.state(r, CriContainerState.class);
        ContainerStatus.Builder b = ContainerStatus.newBuilder().setId(r.id()).setMetadata(config.getMetadata())
                .setImage(ImageSpec.newBuilder().setImage(s.imageName()).setUserSpecifiedImage(config.getImage().getImage()))
                .setImageRef(s.imageId()).setImageId(s.imageId())
                .setCreatedAt(s.createdAt()).setStartedAt(s.startedAt())
                .putAllLabels(config.getLabelsMap()).putAllAnnotations(config.getAnnotationsMap())
                .addAllMounts(config.getMountsList()).setLogPath(s.logPath());
        Optional<ProcessState> ps = Optional.empty();
        if (tasks.exists(CriNames.NAMESPACE, r.id())) {
            try {
                ps = Optional.of(tasks.get(CriNames.NAMESPACE, r.id(), ""));
            } catch (JcdException e) {
                b.setState(ContainerState.CONTAINER_UNKNOWN).setReason("Unknown").setMessage(e.getMessage());
                return b.build();
            }
        }
        if (ps.isPresent() && ps.get().status() == ProcessState.Status.STOPPED) {
            int code = ps.get().exitStatus();
            long at = ps.get().exitedAt() != null ? CriRecords.nanos(ps.get().exitedAt()) : CriRecords.nanos(clock.instant());
            return b.setState(ContainerState.CONTAINER_EXITED).setFinishedAt(at).setExitCode(code)
                    .setReason(reason(code, cgroup(r).oomKilled())).build();
        }
        if (ps.isPresent() && ps.get().status() != ProcessState.Status.CREATED) {
            return b.setState(ContainerState.CONTAINER_RUNNING).build();
        }
        if (s.finishedAt() != 0) {
            return b.setState(ContainerState.CONTAINER_EXITED).setFinishedAt(s.finishedAt()).setExitCode(s.exitCode()).setReason(s.reason()).build();
        }
        if (s.startedAt() != 0 && starting.contains(r.id())) {
            return b.setState(ContainerState.CONTAINER_CREATED).build(); // its start runs: the state was saved before the task
        }
        if (s.startedAt() != 0) {
            // started, and its task is gone without an exit on record (its shim died while the daemon was down)
            return b.setState(ContainerState.CONTAINER_EXITED).setExitCode(255).setReason("Unknown")
                    .setMessage("the container's task is gone and its exit status was not recorded").build();
        }
        return b.setState(ContainerState.CONTAINER_CREATED).build();
    }

    /** containerd's reasons: OOMKilled when the OOM killer killed a process of its cgroup, else by exit code. */
    private static String reason(int exitCode, boolean oomKilled) {
        return oomKilled ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
    }

    @SuppressWarnings("unchecked")
    private static ContainerCgroup cgroup(ContainerRecord r) {
        try {
            return ContainerCgroup.of(PodSpecs.JSON.readValue(r.spec().value(), Map.class));
        } catch (IOException e) {
            throw JcdException.failedPrecondition("container %s: its spec is not JSON: %s", r.id(), e.getMessage());
        }
    }

    /**
     * UpdateContainerResources: the new CPU and memory limits written to the running container's
     * cgroup (through the shim and jrunc update) and kept in its spec for the next start.
     */
    public void updateResources(String id, io.jcontainerd.api.cri.v1.LinuxContainerResources resources) {
        ContainerRecord r = records.get(id, "container");
        String who = "container " + id;
        byte[] limits = PodSpecs.limits(who, resources);
        byte[] spec = PodSpecs.withLimits(r.spec().value(), limits);
        if (tasks.exists(CriNames.NAMESPACE, id) && tasks.get(CriNames.NAMESPACE, id, "").status() != ProcessState.Status.STOPPED) {
            tasks.update(CriNames.NAMESPACE, id, new Opaque(TypeUrls.OCI_LINUX_RESOURCES, limits), Map.of());
        }
        records.saveSpec(r, spec);
    }

    /** ReopenContainerLog: the running container's log copy continues in a new file at its log path (kubelet's rotation). */
    public void reopenLog(String id) {
        records.get(id, "container");
        if (!tasks.exists(CriNames.NAMESPACE, id) || tasks.get(CriNames.NAMESPACE, id, "").status() != ProcessState.Status.RUNNING) {
            throw JcdException.failedPrecondition("container %s is not running: only a running container's log can be reopened", id);
        }
        ContainerLog log = logs.get(id);
        if (log == null) {
            throw JcdException.failedPrecondition("container %s has no output copy to reopen: it could not be reattached after the daemon restarted (see the daemon log)", id);
        }
        try {
            if (!log.reopen()) {
                throw JcdException.failedPrecondition("container %s has no log path: there is no log file to reopen", id);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("container %s: cannot reopen its log file: %s", id, e.getMessage());
        }
    }

    /** ContainerStats: CPU and memory of a running container from its cgroup; only the attributes for one not running. */
    public io.jcontainerd.api.cri.v1.ContainerStats stats(String id) {
        return stats(records.get(id, "container"));
    }

    /** ListContainerStats: the stats of the containers matching the filter (id prefix, pod, labels). */
    public List<io.jcontainerd.api.cri.v1.ContainerStats> listStats(io.jcontainerd.api.cri.v1.ContainerStatsFilter filter) {
        List<io.jcontainerd.api.cri.v1.ContainerStats> out = new ArrayList<>();
        for (ContainerRecord r : records.all("container")) {
            if (!CriFilters.idMatches(filter.getId(), r.id()) || !CriFilters.idMatches(filter.getPodSandboxId(), r.sandbox())) {
                continue;
            }
            ContainerConfig config = CriRecords.config(r, ContainerConfig.parser());
            boolean labels = filter.getLabelSelectorMap().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(config.getLabelsMap().get(e.getKey())));
            if (labels) {
                out.add(stats(r));
            }
        }
        return out;
    }

    private io.jcontainerd.api.cri.v1.ContainerStats stats(ContainerRecord r) {
        ContainerConfig config = CriRecords.config(r, ContainerConfig.parser());
        var b = io.jcontainerd.api.cri.v1.ContainerStats.newBuilder().setAttributes(io.jcontainerd.api.cri.v1.ContainerAttributes.newBuilder()
                .setId(r.id()).setMetadata(config.getMetadata()).putAllLabels(config.getLabelsMap()).putAllAnnotations(config.getAnnotationsMap()));
        try {
            if (tasks.exists(CriNames.NAMESPACE, r.id()) && tasks.get(CriNames.NAMESPACE, r.id(), "").status() == ProcessState.Status.RUNNING) {
                ContainerMetrics.Sample s = ContainerMetrics.of(tasks.stats(CriNames.NAMESPACE, r.id()), CriRecords.nanos(clock.instant()));
                b.setCpu(s.cpu()).setMemory(s.memory());
            }
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.FAILED_PRECONDITION) {
                throw e;
            }
        }
        writableLayer(r).ifPresent(b::setWritableLayer);
        return b.build();
    }

    /**
     * The container's writable layer as containerd reports it from its snapshotter's Usage: bytes
     * on disk and inodes of its active snapshot's upper directory, on the image filesystem.
     */
    private Optional<io.jcontainerd.api.cri.v1.FilesystemUsage> writableLayer(ContainerRecord r) {
        if (r.snapshotKey().isEmpty()) {
            return Optional.empty();
        }
        io.jcontainerd.snapshot.Usage u;
        try {
            u = snapshots.usage(CriNames.NAMESPACE, r.snapshotter(), r.snapshotKey());
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.FAILED_PRECONDITION) {
                throw e;
            }
            return Optional.empty(); // removed meanwhile
        }
        return Optional.of(io.jcontainerd.api.cri.v1.FilesystemUsage.newBuilder().setTimestamp(CriRecords.nanos(clock.instant()))
                .setFsId(io.jcontainerd.api.cri.v1.FilesystemIdentifier.newBuilder().setMountpoint(images.imageFs().toString()))
                .setUsedBytes(io.jcontainerd.api.cri.v1.UInt64Value.newBuilder().setValue(u.size()))
                .setInodesUsed(io.jcontainerd.api.cri.v1.UInt64Value.newBuilder().setValue(u.inodes())).build());
    }

    public List<Container> list(ContainerFilter filter) {
        List<Container> out = new ArrayList<>();
        for (ContainerRecord r : records.all("container")) {
            if (!CriFilters.idMatches(filter.getId(), r.id()) || !CriFilters.idMatches(filter.getPodSandboxId(), r.sandbox())) {
                continue;
            }
            ContainerStatus s = status(r);
            if (CriFilters.containerMatches(filter, r.id(), s.getState(), r.sandbox(), s.getLabelsMap())) {
                out.add(Container.newBuilder().setId(r.id()).setPodSandboxId(r.sandbox()).setMetadata(s.getMetadata())
                        .setImage(s.getImage()).setImageRef(s.getImageRef()).setImageId(s.getImageId()).setState(s.getState())
                        .setCreatedAt(s.getCreatedAt()).putAllLabels(s.getLabelsMap()).putAllAnnotations(s.getAnnotationsMap()).build());
            }
        }
        return out;
    }

    /** The output copy of a running container (Attach taps it); reattached after a daemon restart ({@link #reattachLogs}). */
    Optional<ContainerLog> log(String id) {
        return Optional.ofNullable(logs.get(id));
    }

    /**
     * CheckpointContainer: UNIMPLEMENTED for any container id, known or not, as containerd 1.6's cri
     * answers it ("method CheckpointContainer not implemented"). Checkpointing needs CRIU, and jrunc
     * has no checkpoint command; the message says whether CRIU is on this node's PATH.
     */
    public void checkpoint(String id) {
        boolean criu = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(d -> !d.isEmpty()).anyMatch(d -> Files.isExecutable(Path.of(d, "criu")));
        throw JcdException.notImplemented("method CheckpointContainer not implemented (container \"%s\"): jcontainerd cannot checkpoint "
                + "containers: it needs CRIU, %s, "
                + "and its runtime jrunc has no checkpoint command", id.length() > 128 ? id.substring(0, 128) + "..." : id, criu ? "which is installed here" : "which is not installed on this node (no criu in PATH)");
    }

    /** What ExecSync returns. */
    public record ExecResult(byte[] stdout, byte[] stderr, int exitCode) {
    }

    /**
     * ExecSync: runs {@code cmd} in the running container (its user, env and cwd), collecting up
     * to 16 MiB of each stream; after {@code timeoutSeconds} (0: none) the command is killed and
     * the call fails DeadlineExceeded.
     */
    public ExecResult execSync(String id, List<String> cmd, long timeoutSeconds) {
        if (cmd.isEmpty()) {
            throw JcdException.invalidArgument("ExecSync of container %s: no command given", id);
        }
        ContainerRecord r = records.get(id, "container");
        if (!tasks.exists(CriNames.NAMESPACE, id) || tasks.get(CriNames.NAMESPACE, id, "").status() != ProcessState.Status.RUNNING) {
            throw JcdException.failedPrecondition("container %s is not running: start it before ExecSync", id);
        }
        String execId = "exec-" + CriRecords.newId().substring(0, 24);
        Fifos fifos = Fifos.create(ioDir.resolve(execId));
        BoundedReader out = new BoundedReader(fifos.stdout());
        BoundedReader err = new BoundedReader(fifos.stderr());
        boolean started = false;
        try {
            tasks.exec(CriNames.NAMESPACE, id, execId, false, "", fifos.stdout().toString(), fifos.stderr().toString(),
                    new Opaque(TypeUrls.OCI_PROCESS, PodSpecs.execProcess(r.spec().value(), cmd)));
            tasks.start(CriNames.NAMESPACE, id, execId);
            started = true;
            Duration limit = timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : Duration.ofDays(3650);
            Optional<Exit> exit = await(() -> tasks.waitFor(CriNames.NAMESPACE, id, execId), limit);
            if (exit.isEmpty()) {
                tasks.kill(CriNames.NAMESPACE, id, execId, PodSandboxes.SIGKILL, false);
                await(() -> tasks.waitFor(CriNames.NAMESPACE, id, execId), Duration.ofSeconds(30));
                throw JcdException.of(ErrorKind.DEADLINE_EXCEEDED,
                        "command " + cmd + " in container " + id + " timed out after " + timeoutSeconds + " s and was killed", null);
            }
            out.await();
            err.await();
            return new ExecResult(out.bytes(), err.bytes(), exit.get().status());
        } finally {
            out.release();
            err.release();
            try {
                if (started || tasks.exists(CriNames.NAMESPACE, id)) {
                    tasks.deleteProcess(CriNames.NAMESPACE, id, execId);
                }
            } catch (JcdException e) {
                LOG.fine(() -> "exec " + execId + " of container " + id + ": delete: " + e.getMessage());
            }
            fifos.delete();
        }
    }

    /** Reads one exec FIFO to its end, keeping at most {@link #MAX_EXEC_OUTPUT} bytes. */
    private static final class BoundedReader {
        private final Path fifo;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        private final Thread thread;
        private volatile boolean opened;

        BoundedReader(Path fifo) {
            this.fifo = fifo;
            // a platform thread: open() of a FIFO blocks in the kernel and would pin a virtual thread's carrier
            this.thread = Thread.ofPlatform().daemon().name("cri-exec-read").stackSize(256 * 1024).start(this::run);
        }

        private void run() {
            byte[] b = new byte[32 * 1024];
            try (var in = Fifos.openForReading(fifo)) {
                opened = true;
                int n;
                while ((n = in.read(b)) > 0) {
                    synchronized (buf) {
                        int keep = Math.min(n, MAX_EXEC_OUTPUT - buf.size());
                        if (keep > 0) {
                            buf.write(b, 0, keep);
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone: what was read is the output
            }
        }

        void await() {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            if (!opened) {
                Fifos.release(fifo);
            }
        }

        byte[] bytes() {
            synchronized (buf) {
                return buf.toByteArray();
            }
        }
    }

}
