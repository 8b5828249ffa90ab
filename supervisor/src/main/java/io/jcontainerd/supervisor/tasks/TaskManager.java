package io.jcontainerd.supervisor.tasks;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.shim.v1.CloseIORequest;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PauseRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.ResizePtyRequest;
import io.jcontainerd.api.shim.v1.ResumeRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.StateResponse;
import io.jcontainerd.api.shim.v1.StatsRequest;
import io.jcontainerd.api.shim.v1.UpdateTaskRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.api.types.task.ProcessInfo;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.shim.DeadShimCleanup;
import io.jcontainerd.shim.ShimClient;
import io.jcontainerd.shim.ShimFiles;
import io.jcontainerd.shim.process.ExitStatusFile;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.daemon.SocketGuard;
import io.jcontainerd.supervisor.events.EventExchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The supervisor's side of tasks (containerd's runtime/v2 task manager): one detached shim per
 * task, found again after a daemon restart through the bundle directory
 * {@code <state>/tasks/<ns>/<id>} (config.json, shim.address, shim.pid, the shim's exit status).
 * The shim is the parent of the container's process; this class only talks to it.
 *
 * <p>Events: the shim publishes every task event in containerd's order (Events.Forward); this
 * class publishes only what a dead shim no longer can (its task's exit and delete).
 */
public final class TaskManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskManager.class.getName());

    private final Path state;
    private final ContainerStore containers;
    private final EventExchange events;
    private final ShimLauncher launcher;
    private final Path defaultRuntime;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private static final long SHIM_CHECK_MS = 500;
    private Thread monitor;

    public TaskManager(Path state, ContainerStore containers, EventExchange events, ShimLauncher launcher, Path defaultRuntime) {
        this.state = state;
        this.containers = containers;
        this.events = events;
        this.launcher = launcher;
        this.defaultRuntime = defaultRuntime;
    }

    /**
     * One task: its shim connection and bundle; {@code deathLock} makes the clean-up after a dead shim run once.
     * {@code deadExit} is set when the shim died without deleting the task.
     */
    private static final class Task {
        final String ns;
        final String id;
        final Path bundle;
        final ShimClient shim;
        final Object deathLock = new Object();
        volatile Exit deadExit;
        volatile boolean deleting;
        volatile long shimPid;

        Task(String ns, String id, Path bundle, ShimClient shim) {
            this.ns = ns;
            this.id = id;
            this.bundle = bundle;
            this.shim = shim;
        }

        String ns() {
            return ns;
        }

        String id() {
            return id;
        }

        Path bundle() {
            return bundle;
        }

        ShimClient shim() {
            return shim;
        }

        Object deathLock() {
            return deathLock;
        }
    }

    /** The file in a bundle that names the runtime binary its shim drives (for clean-up after a shim death). */
    static final String RUNTIME_FILE = "runtime.path";

    private static String key(String ns, String id) {
        return ns + "/" + id;
    }

    public Path bundleDir(String ns, String id) {
        return state.resolve("tasks").resolve(ns).resolve(id);
    }

    /** Reconnects to the shims of tasks that survived a daemon restart; returns how many answered. */
    public int recover() {
        Path root = state.resolve("tasks");
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int found = 0;
        try (Stream<Path> nss = Files.list(root)) {
            for (Path nsDir : nss.toList()) {
                try (Stream<Path> ids = Files.list(nsDir)) {
                    for (Path bundle : ids.toList()) {
                        String ns = nsDir.getFileName().toString();
                        String id = bundle.getFileName().toString();
                        if (reconnect(ns, id, bundle)) {
                            found++;
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warning(() -> "cannot scan " + root + " for running tasks: " + e.getMessage());
        }
        return found;
    }

    private boolean reconnect(String ns, String id, Path bundle) {
        if (!Files.exists(bundle.resolve(ShimFiles.ADDRESS))) {
            // its shim died before and was cleaned up: only the recorded exit is left
            if (containers.find(ns, id).isEmpty()) {
                removeBundle(ns, id, bundle);
                return false;
            }
            Task task = new Task(ns, id, bundle, null);
            task.deadExit = ExitStatusFile.read(bundle).map(e -> new Exit(e.pid(), e.status(), e.exitedAt()))
                    .orElse(new Exit(0, DeadShimCleanup.KILLED, Instant.now()));
            tasks.put(key(ns, id), task);
            return true;
        }
        Path socket = ShimFiles.address(bundle);
        ShimClient shim = ShimClient.connect(socket);
        Task task = new Task(ns, id, bundle, shim);
        tasks.put(key(ns, id), task);
        boolean alive = SocketGuard.answers(socket);
        if (alive) {
            try {
                shim.blocking().connect(ConnectRequest.newBuilder().setId(id).build());
            } catch (StatusRuntimeException e) {
                alive = false;
            }
        }
        if (!alive) {
            LOG.warning(() -> "namespace=" + ns + " task=" + id + ": its shim does not answer on " + socket
                    + "; killing and cleaning up its container");
            // the runtime's clean-up is slow (a process per task): do not hold up the daemon's start
            Thread.ofVirtual().name("dead-shim-" + id).start(() -> {
                shimDied(task);
                if (containers.find(ns, id).isEmpty()) {
                    delete(ns, id);
                }
            });
            return true;
        }
        watchShim(task);
        LOG.info(() -> "namespace=" + ns + " task=" + id + ": reconnected to its shim on " + socket);
        return true;
    }

    private void removeBundle(String ns, String id, Path bundle) {
        try {
            deleteTree(bundle);
        } catch (IOException e) {
            LOG.warning(() -> "namespace=" + ns + " task=" + id + ": cannot remove bundle " + bundle + ": " + e.getMessage());
        }
    }

    public int create(String ns, TaskSpec spec) {
        ContainerRecord c = containers.get(ns, spec.containerId());
        String id = c.id();
        if (tasks.containsKey(key(ns, id))) {
            throw JcdException.alreadyExists("task %s in namespace %s: already exists", id, ns);
        }
        Path bundle = bundleDir(ns, id);
        Path runtime = Optional.ofNullable(spec.runtimeOptions()).orElse(new RuntimeOptions("")).resolve(defaultRuntime);
        try {
            if (Files.exists(bundle)) {
                deleteTree(bundle);
            }
            Files.createDirectories(bundle.resolve("rootfs"));
            Files.write(bundle.resolve("config.json"), c.spec().value());
            Files.writeString(bundle.resolve(RUNTIME_FILE), runtime.toString());
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot write the bundle of task %s at %s: %s", id, bundle, e.getMessage());
        }
        ShimClient shim = null;
        try {
            Path socket = launcher.launch(ns, id, bundle, runtime);
            shim = ShimClient.connect(socket);
            CreateTaskRequest.Builder req = CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                    .setNamespace(ns).setTerminal(spec.terminal())
                    .setStdin(spec.stdin()).setStdout(spec.stdout()).setStderr(spec.stderr());
            spec.rootfs().forEach(m -> req.addRootfs(io.jcontainerd.api.types.Mount.newBuilder().setType(m.type())
                    .setSource(m.source()).setTarget(m.target()).addAllOptions(m.options())));
            int pid = shim.blocking().create(req.build()).getPid();
            Task task = new Task(ns, id, bundle, shim);
            tasks.put(key(ns, id), task);
            watchShim(task);
            LOG.info(() -> "namespace=" + ns + " task=" + id + " created, pid " + pid + ", runtime " + runtime);
            return pid;
        } catch (RuntimeException e) {
            if (shim != null) {
                shutdownQuietly(shim, id);
                shim.close();
            }
            try {
                deleteTree(bundle);
            } catch (IOException ignored) {
                // the error below is what matters
            }
            throw fromShim(e, ns, id);
        }
    }

    public int start(String ns, String id, String execId) {
        Task t = task(ns, id);
        return call(t, () -> t.shim().blocking().start(StartRequest.newBuilder().setId(id).setExecId(execId).build()).getPid());
    }

    public ProcessState get(String ns, String id, String execId) {
        Task t = task(ns, id);
        Exit dead = t.deadExit;
        if (dead != null) {
            return new ProcessState(execId.isEmpty() ? id : execId, dead.pid(), ProcessState.Status.STOPPED, "", "", "", false,
                    dead.status(), dead.at());
        }
        StateResponse s;
        try {
            s = call(t, () -> t.shim().blocking().state(StateRequest.newBuilder().setId(id).setExecId(execId).build()));
        } catch (JcdException e) {
            if (t.deadExit != null) {
                return get(ns, id, execId);
            }
            throw e;
        }
        return toState(execId.isEmpty() ? id : execId, s);
    }

    public List<ProcessState> list(String ns) {
        List<ProcessState> out = new ArrayList<>();
        tasks.values().stream().filter(t -> t.ns().equals(ns)).sorted(Comparator.comparing(Task::id)).forEach(t -> {
            try {
                out.add(get(ns, t.id(), ""));
            } catch (JcdException e) {
                LOG.fine(() -> "namespace=" + ns + " task=" + t.id() + ": state unavailable: " + e.getMessage());
            }
        });
        return out;
    }

    public void kill(String ns, String id, String execId, int signal, boolean all) {
        Task t = task(ns, id);
        if (t.deadExit != null) {
            throw JcdException.notFound("process of task %s already finished: its shim died and it was killed", id);
        }
        call(t, () -> t.shim().blocking().kill(KillRequest.newBuilder().setId(id).setExecId(execId).setSignal(signal).setAll(all).build()));
    }

    /** Blocks until the process exits (returns at once if it has). */
    public Exit waitFor(String ns, String id, String execId) {
        Task t = task(ns, id);
        if (t.deadExit != null) {
            return t.deadExit;
        }
        var r = call(t, () -> t.shim().blocking().wait(WaitRequest.newBuilder().setId(id).setExecId(execId).build()));
        return new Exit(0, r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(null));
    }

    /** Deletes a stopped (or never started) task: its process, rootfs mounts, shim and bundle. */
    public Exit delete(String ns, String id) {
        Task t = task(ns, id);
        Exit exit;
        if (t.deadExit != null) {
            exit = t.deadExit;
        } else {
            t.deleting = true;
            try {
                var r = call(t, () -> t.shim().blocking().delete(DeleteRequest.newBuilder().setId(id).build()));
                exit = new Exit(r.getPid(), r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(Instant.now()));
            } catch (RuntimeException e) {
                t.deleting = false;
                throw e;
            }
            shutdownQuietly(t.shim(), id);
        }
        boolean shimWasDead = t.deadExit != null;
        tasks.remove(key(ns, id));
        if (t.shim() != null) {
            t.shim().close();
        }
        removeBundle(ns, id, t.bundle());
        if (shimWasDead) {
            // a live shim publishes its own /tasks/delete; a dead one cannot
            TaskDelete.Builder ev = TaskDelete.newBuilder().setContainerId(id).setId(id).setPid(exit.pid()).setExitStatus(exit.status());
            Timestamps.setIfKnown(exit.at(), ev::setExitedAt);
            events.publish(ns, "/tasks/delete", ev.build());
        }
        return exit;
    }

    public Exit deleteProcess(String ns, String id, String execId) {
        Task t = task(ns, id);
        var r = call(t, () -> t.shim().blocking().delete(DeleteRequest.newBuilder().setId(id).setExecId(execId).build()));
        return new Exit(r.getPid(), r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(Instant.now()));
    }

    public void exec(String ns, String id, String execId, boolean terminal, String stdin, String stdout, String stderr, Opaque processSpec) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().exec(ExecProcessRequest.newBuilder().setId(id).setExecId(execId).setTerminal(terminal)
                .setStdin(stdin).setStdout(stdout).setStderr(stderr).setSpec(any(processSpec)).build()));
    }

    public void pause(String ns, String id) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().pause(PauseRequest.newBuilder().setId(id).build()));
    }

    public void resume(String ns, String id) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().resume(ResumeRequest.newBuilder().setId(id).build()));
    }

    public List<ProcessInfo> pids(String ns, String id) {
        Task t = task(ns, id);
        return call(t, () -> t.shim().blocking().pids(PidsRequest.newBuilder().setId(id).build()).getProcessesList());
    }

    public void resizePty(String ns, String id, String execId, int width, int height) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().resizePty(ResizePtyRequest.newBuilder().setId(id).setExecId(execId)
                .setWidth(width).setHeight(height).build()));
    }

    public void closeStdin(String ns, String id, String execId) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().closeIO(CloseIORequest.newBuilder().setId(id).setExecId(execId).setStdin(true).build()));
    }

    public void update(String ns, String id, Opaque resources, Map<String, String> annotations) {
        Task t = task(ns, id);
        call(t, () -> t.shim().blocking().update(UpdateTaskRequest.newBuilder().setId(id).setResources(any(resources))
                .putAllAnnotations(annotations).build()));
    }

    /** The cgroup metrics of a task (an Any of io.containerd.cgroups.v1.Metrics or .v2). */
    public Any stats(String ns, String id) {
        Task t = task(ns, id);
        return call(t, () -> t.shim().blocking().stats(StatsRequest.newBuilder().setId(id).build()).getStats());
    }

    public List<String> ids(String ns) {
        return tasks.values().stream().filter(t -> t.ns().equals(ns)).map(Task::id).sorted().toList();
    }

    public boolean exists(String ns, String id) {
        return tasks.containsKey(key(ns, id));
    }

    private Task task(String ns, String id) {
        Task t = tasks.get(key(ns, id));
        if (t == null) {
            containers.get(ns, id);
            throw JcdException.notFound("task %s not found", id);
        }
        return t;
    }

    private <T> T call(Task t, Supplier<T> rpc) {
        if (t.deadExit != null) {
            throw JcdException.failedPrecondition("task %s in namespace %s stopped because its shim died (exit status %d): delete it",
                    t.id(), t.ns(), t.deadExit.status());
        }
        try {
            return rpc.get();
        } catch (RuntimeException e) {
            if (t.shimPid > 0 && !ProcessHandle.of(t.shimPid).map(ProcessHandle::isAlive).orElse(false)) {
                shimDied(t);
                throw JcdException.failedPrecondition("task %s in namespace %s stopped because its shim died (exit status %d): delete it",
                        t.id(), t.ns(), t.deadExit.status());
            }
            throw fromShim(e, t.ns(), t.id());
        }
    }

    private static JcdException fromShim(RuntimeException e, String ns, String id) {
        if (e instanceof JcdException j) {
            return j;
        }
        if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
            return JcdException.unavailable("the shim of task %s in namespace %s is gone (%s): the task is lost; delete it",
                    id, ns, s.getStatus().getDescription());
        }
        return GrpcErrors.fromStatus(e);
    }

    /** Remembers the shim's pid so {@link #checkShims} notices when it is gone. */
    private void watchShim(Task t) {
        try {
            t.shimPid = ShimFiles.pid(t.bundle());
        } catch (RuntimeException e) {
            LOG.warning(() -> "namespace=" + t.ns() + " task=" + t.id() + ": no shim pid in " + t.bundle() + ": " + e.getMessage());
        }
        startMonitor();
    }

    private synchronized void startMonitor() {
        if (monitor != null) {
            return;
        }
        monitor = Thread.ofVirtual().name("shim-monitor").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(SHIM_CHECK_MS);
                } catch (InterruptedException e) {
                    return;
                }
                checkShims();
            }
        });
    }

    /** Finds tasks whose shim process is gone without having deleted them. */
    void checkShims() {
        for (Task t : tasks.values()) {
            if (t.deadExit == null && !t.deleting && t.shimPid > 0
                    && ProcessHandle.of(t.shimPid).map(ProcessHandle::isAlive).orElse(false) == false) {
                shimDied(t);
            }
        }
    }

    /**
     * The shim of {@code t} is gone without deleting its task: kill the container and remove its
     * runtime state, cgroup and mounts (through the runtime, as the shim would have), report the
     * task STOPPED and publish the exit nobody else will.
     */
    private void shimDied(Task t) {
        synchronized (t.deathLock()) {
            if (t.deadExit != null) {
                return;
            }
            Path runtime = defaultRuntime;
            try {
                runtime = Path.of(Files.readString(t.bundle().resolve(RUNTIME_FILE)).strip());
            } catch (IOException e) {
                LOG.fine(() -> "no " + RUNTIME_FILE + " in " + t.bundle() + "; cleaning up with " + defaultRuntime);
            }
            Exit exit;
            try {
                var status = DeadShimCleanup.cleanup(runtime, Path.of("/run/jrunc", t.ns()), t.id(), t.bundle());
                exit = new Exit(status.pid(), status.status(), status.exitedAt());
            } catch (RuntimeException e) {
                LOG.warning(() -> "namespace=" + t.ns() + " task=" + t.id() + ": cleaning up after its dead shim: " + e.getMessage());
                exit = new Exit(0, DeadShimCleanup.KILLED, Instant.now());
            }
            t.deadExit = exit;
            Exit e = exit;
            LOG.warning(() -> "namespace=" + t.ns() + " task=" + t.id() + ": its shim died; the container was killed and "
                    + "cleaned up, task reported stopped with exit status " + e.status());
            TaskExit.Builder ev = TaskExit.newBuilder().setContainerId(t.id()).setId(t.id()).setPid(e.pid()).setExitStatus(e.status());
            Timestamps.setIfKnown(e.at(), ev::setExitedAt);
            events.publish(t.ns(), "/tasks/exit", ev.build());
        }
    }

    private static void shutdownQuietly(ShimClient shim, String id) {
        try {
            shim.blocking().shutdown(ShutdownRequest.newBuilder().setId(id).setNow(true).build());
        } catch (StatusRuntimeException expected) {
            // the shim exits while answering
        }
    }

    private static ProcessState toState(String id, StateResponse s) {
        ProcessState.Status st = switch (s.getStatus()) {
            case CREATED -> ProcessState.Status.CREATED;
            case RUNNING -> ProcessState.Status.RUNNING;
            case STOPPED -> ProcessState.Status.STOPPED;
            case PAUSED -> ProcessState.Status.PAUSED;
            case PAUSING -> ProcessState.Status.PAUSING;
            default -> ProcessState.Status.UNKNOWN;
        };
        return new ProcessState(id, s.getPid(), st, s.getStdin(), s.getStdout(), s.getStderr(), s.getTerminal(),
                s.getExitStatus(), Timestamps.toInstant(s.getExitedAt()).orElse(null));
    }

    private static Any any(Opaque o) {
        return o == null ? Any.getDefaultInstance()
                : Any.newBuilder().setTypeUrl(o.typeUrl()).setValue(ByteString.copyFrom(o.value())).build();
    }

    /**
     * Removes a bundle. The shim removes its own files (shim.pid, shim.address) while it exits,
     * possibly during our walk: a file that vanished under us is simply gone, so walk again.
     */
    private static void deleteTree(Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (!Files.exists(dir)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException raced) {
                if (attempt == 5) {
                    throw raced instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) raced;
                }
            }
        }
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.interrupt();
        }
        // Shims keep running without us; only the connections close.
        tasks.values().stream().filter(t -> t.shim() != null).forEach(t -> t.shim().close());
    }
}
