package io.jcontainerd.supervisor.tasks;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.shim.v1.CloseIORequest;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PauseRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.ResizePtyRequest;
import io.jcontainerd.api.shim.v1.ResumeRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.StateResponse;
import io.jcontainerd.api.shim.v1.StatsRequest;
import io.jcontainerd.api.shim.v1.UpdateTaskRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.api.types.task.ProcessInfo;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.DaemonConfig.ShimGroup;
import io.jcontainerd.config.FileModes;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.StatusCodes;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.proto.ttrpc.TtrpcException;
import io.jcontainerd.shim.ShimFiles;
import io.jcontainerd.shim.process.ExitStatusFile;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.events.EventExchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The supervisor's side of tasks (containerd's runtime/v2 task manager). Tasks run in detached
 * shims, several to a shim ({@link ShimGroups}: one per namespace by default), each found again
 * after a daemon restart through its bundle directory {@code <state>/tasks/<ns>/<id>} (config.json,
 * shim.address, shim.pid, the shim's exit status); tasks naming one socket share one connection.
 * The shim is the parent of the container's process; this class only talks to it.
 *
 * <p>Events: the shim publishes every task event in containerd's order (Events.Forward); this
 * class publishes only what a dead shim no longer can (its tasks' exit and delete).
 */
public final class TaskManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskManager.class.getName());

    private final Path state;
    private final ContainerStore containers;
    private final EventExchange events;
    private final ShimLauncher launcher;
    private final Path defaultRuntime;
    private final ShimGroup grouping;
    private final SpareShims spares;
    private final ShimGroups groups;
    private final Map<String, TaskEntry> tasks = new ConcurrentHashMap<>();
    private final Set<String> creating = ConcurrentHashMap.newKeySet();
    private final DeadTasks deadTasks;

    public TaskManager(Path state, ContainerStore containers, EventExchange events, ShimLauncher launcher, Path defaultRuntime,
                       DaemonConfig.ShimConfig shims) {
        this.state = state;
        this.containers = containers;
        this.events = events;
        this.launcher = launcher;
        this.defaultRuntime = defaultRuntime;
        this.grouping = shims.group();
        this.spares = new SpareShims(launcher, shims.spare(), shims.spareWhileRunning(), this::groupsRunning);
        this.groups = new ShimGroups(spares, this::shimDied);
        this.deadTasks = new DeadTasks(events, defaultRuntime);
    }

    /** The file in a bundle that names the runtime binary its shim drives (for clean-up after a shim death). */
    static final String RUNTIME_FILE = "runtime.path";

    private static String key(String ns, String id) {
        return ns + "/" + id;
    }

    private boolean groupsRunning() {
        return groups.running();
    }

    /** Shim processes this daemon drives now: group shims and the spare (booting or ready). */
    public int shimCount() {
        return groups.shims().size() + spares.count();
    }

    public Path bundleDir(String ns, String id) {
        return state.resolve("tasks").resolve(ns).resolve(id);
    }

    /** A bundle found at start-up whose task's shim should be running. */
    private record Found(String ns, String id, Path bundle) {
    }

    /**
     * Reconnects to the shims of tasks that survived a daemon restart (one connection per shim),
     * cleans up after the ones that died, stops idle shims left from before, and starts the
     * spare. Returns how many tasks were found.
     */
    public int recover() {
        Path root = state.resolve("tasks");
        try {
            deleteTree(retired()); // bundles of deleted tasks that a crash or stop left before they were gone
        } catch (IOException e) {
            LOG.warning(() -> "cannot remove the deleted tasks' bundles in " + retired() + ": " + e.getMessage());
        }
        Map<Path, List<Found>> bySocket = new LinkedHashMap<>();
        int found = 0;
        if (Files.isDirectory(root)) {
            try (Stream<Path> nss = Files.list(root)) {
                for (Path nsDir : nss.toList()) {
                    try (Stream<Path> ids = Files.list(nsDir)) {
                        for (Path bundle : ids.toList()) {
                            Found f = new Found(nsDir.getFileName().toString(), bundle.getFileName().toString(), bundle);
                            Optional<Path> socket = shimAddress(bundle);
                            if (socket.isPresent()) {
                                bySocket.computeIfAbsent(socket.get(), s -> new ArrayList<>()).add(f);
                                found++;
                            } else if (recordedExit(f)) {
                                found++;
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "cannot scan " + root + " for running tasks: " + e.getMessage());
            }
        }
        Set<Path> live = new java.util.HashSet<>();
        bySocket.forEach((socket, tasksOfShim) -> {
            if (reconnect(socket, tasksOfShim)) {
                live.add(socket);
            }
        });
        ShimLeftovers.sweep(launcher, live);
        spares.start();
        return found;
    }

    private static Optional<Path> shimAddress(Path bundle) {
        try {
            return Optional.of(ShimFiles.address(bundle));
        } catch (JcdException e) {
            return Optional.empty();
        }
    }

    /** A task whose shim died before and was cleaned up: only its recorded exit is left (or nothing, if its container is gone). */
    private boolean recordedExit(Found f) {
        if (containers.find(f.ns(), f.id()).isEmpty()) {
            removeBundle(f.ns(), f.id(), f.bundle());
            return false;
        }
        TaskEntry task = new TaskEntry(f.ns(), f.id(), f.bundle(), null);
        task.deadExit = ExitStatusFile.read(f.bundle()).map(e -> new Exit(e.pid(), e.status(), e.exitedAt()))
                .orElse(new Exit(0, DeadShimCleanup.KILLED, Instant.now()));
        tasks.put(key(f.ns(), f.id()), task);
        return true;
    }

    /** Takes up the tasks that name {@code socket}; false if no shim answers there any more. */
    private boolean reconnect(Path socket, List<Found> found) {
        Shim shim = launcher.reconnect(socket);
        List<TaskEntry> recovered = found.stream().map(f -> new TaskEntry(f.ns(), f.id(), f.bundle(), shim)).toList();
        recovered.forEach(t -> tasks.put(key(t.ns(), t.id()), t));
        String ids = String.join(", ", recovered.stream().map(t -> t.ns() + "/" + t.id()).toList());
        if (shim == null) {
            LOG.warning(() -> "the shim on " + socket + " does not answer; killing and cleaning up its tasks " + ids);
            // the runtime's clean-up is slow (a process per task): it runs on the clean-up threads
            var done = deadTasks.cleanUp(recovered, "its shim on " + socket + " was gone when the daemon started");
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenRunAsync(() ->
                    recovered.stream().filter(t -> containers.find(t.ns(), t.id()).isEmpty()).forEach(t -> delete(t.ns(), t.id())),
                    Thread::startVirtualThread);
            return false;
        }
        Found first = found.getFirst();
        String group = ShimGroups.keyOf(grouping, first.ns(), first.id(),
                containers.find(first.ns(), first.id()).map(ContainerRecord::labels).orElse(Map.of()));
        groups.adopt(group, shim, recovered.stream().map(t -> key(t.ns(), t.id())).toList());
        LOG.info(() -> "reconnected to " + shim + " on " + socket + " running " + ids);
        return true;
    }

    private volatile boolean retiredReady;

    /** Where deleted tasks' bundles are renamed to while they are deleted in the background; emptied at start. */
    private Path retired() {
        return state.resolve("tasks-removed");
    }

    /**
     * Removes a deleted task's bundle off the caller's path: renamed out of {@code tasks/<ns>/} at once
     * (a new task with the same id gets a bundle of its own), deleted on a virtual thread. Nothing in it
     * is needed any more (the shim has deleted the task and answered with its exit); a crash before it
     * is gone leaves it to {@link #recover()}. Falls back to deleting it here if the rename fails.
     */
    private void retireBundle(String ns, String id, Path bundle) {
        Path doomed = retired().resolve(ns + "." + id + "." + Long.toHexString(System.nanoTime()));
        try {
            if (!retiredReady) {
                FileModes.directory(retired(), FileModes.PRIVATE_DIR);
                retiredReady = true;
            }
            Files.move(bundle, doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            retiredReady = false;
            removeBundle(ns, id, bundle);
            return;
        }
        Thread.ofVirtual().name("bundle-rm-" + id).start(() -> removeBundle(ns, id, doomed));
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
        String key = key(ns, id);
        if (tasks.containsKey(key) || !creating.add(key)) {
            throw JcdException.alreadyExists("task %s in namespace %s: already exists", id, ns);
        }
        try {
            Path bundle = bundleDir(ns, id);
            Path runtime = Optional.ofNullable(spec.runtimeOptions()).orElse(new RuntimeOptions("")).resolve(defaultRuntime);
            writeBundle(c, bundle, runtime);
            try {
                return createIn(groups.join(ShimGroups.keyOf(grouping, ns, id, c.labels())), ns, spec, bundle, runtime);
            } catch (RuntimeException e) {
                try {
                    deleteTree(bundle);
                } catch (IOException ignored) {
                    // the error below is what matters
                }
                throw fromShim(e, ns, id);
            }
        } finally {
            creating.remove(key);
        }
    }

    private void writeBundle(ContainerRecord c, Path bundle, Path runtime) {
        try {
            if (Files.exists(bundle)) {
                deleteTree(bundle);
            }
            // tasks/ and tasks/<ns>/ can be passed through; the bundle (spec, rootfs mount) is root's alone
            FileModes.directory(bundle.getParent().getParent(), FileModes.TRAVERSE_ONLY);
            FileModes.directory(bundle.getParent(), FileModes.TRAVERSE_ONLY);
            Files.createDirectory(bundle, FileModes.attribute(FileModes.PRIVATE_DIR));
            Files.createDirectory(bundle.resolve("rootfs"));
            FileModes.writePrivate(bundle.resolve("config.json"), c.spec().value());
            FileModes.writePrivate(bundle.resolve(RUNTIME_FILE), runtime.toString());
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot write the bundle of task %s at %s: %s", c.id(), bundle, e.getMessage());
        }
    }

    private int createIn(Shim shim, String ns, TaskSpec spec, Path bundle, Path runtime) {
        String id = spec.containerId();
        boolean created = false;
        try {
            CreateTaskRequest.Builder req = CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                    .setNamespace(ns).setTerminal(spec.terminal())
                    .setStdin(spec.stdin()).setStdout(spec.stdout()).setStderr(spec.stderr())
                    .setOptions(AnyCodec.pack(Options.newBuilder().setBinaryName(runtime.toString()).build()));
            spec.rootfs().forEach(m -> req.addRootfs(io.jcontainerd.api.types.Mount.newBuilder().setType(m.type())
                    .setSource(m.source()).setTarget(m.target()).addAllOptions(m.options())));
            int pid = shim.api().create(req.build()).getPid();
            tasks.put(key(ns, id), new TaskEntry(ns, id, bundle, shim,
                    new TaskEntry.CreatedInit(pid, spec.stdin(), spec.stdout(), spec.stderr(), spec.terminal())));
            groups.created(shim, key(ns, id));
            created = true;
            LOG.info(() -> "namespace=" + ns + " task=" + id + " created in " + shim + ", pid " + pid + ", runtime " + runtime);
            return pid;
        } catch (RuntimeException e) {
            groups.check(shim);
            throw e;
        } finally {
            if (!created) {
                groups.failed(shim);
            }
        }
    }

    public int start(String ns, String id, String execId) {
        TaskEntry t = task(ns, id);
        return call(t, () -> t.shim().api().start(StartRequest.newBuilder().setId(id).setExecId(execId).build()).getPid());
    }

    public ProcessState get(String ns, String id, String execId) {
        TaskEntry t = task(ns, id);
        Exit dead = t.deadExit;
        if (dead != null) {
            return t.killedAfterShimDied(execId, dead);
        }
        if (t.dying()) {
            return dying(t, execId);
        }
        ProcessState stopped = execId.isEmpty() ? t.stoppedInit() : null;
        if (stopped != null) {
            // `ctr run` asks right after its Wait answered: a round trip to the shim for what the Wait told
            return stopped;
        }
        StateResponse s;
        try {
            s = call(t, () -> t.shim().api().state(StateRequest.newBuilder().setId(id).setExecId(execId).build()));
        } catch (JcdException e) {
            if (t.deadExit != null || t.dying()) {
                return get(ns, id, execId);
            }
            throw e;
        }
        return toState(execId.isEmpty() ? id : execId, s);
    }

    /** A task whose container is being killed after its shim died: neither running nor stopped yet. */
    private static ProcessState dying(TaskEntry t, String execId) {
        return new ProcessState(execId.isEmpty() ? t.id() : execId, 0, ProcessState.Status.UNKNOWN, "", "", "", false, 0, null);
    }

    public List<ProcessState> list(String ns) {
        List<ProcessState> out = new ArrayList<>();
        tasks.values().stream().filter(t -> t.ns().equals(ns)).sorted(Comparator.comparing(TaskEntry::id)).forEach(t -> {
            try {
                out.add(get(ns, t.id(), ""));
            } catch (JcdException e) {
                LOG.fine(() -> "namespace=" + ns + " task=" + t.id() + ": state unavailable: " + e.getMessage());
            }
        });
        return out;
    }

    public void kill(String ns, String id, String execId, int signal, boolean all) {
        TaskEntry t = task(ns, id);
        if (t.deadExit != null) {
            throw JcdException.notFound("process of task %s already finished: its shim died and it was killed", id);
        }
        call(t, () -> t.shim().api().kill(KillRequest.newBuilder().setId(id).setExecId(execId).setSignal(signal).setAll(all).build()));
    }

    /** Blocks until the process exits (returns at once if it has). */
    public Exit waitFor(String ns, String id, String execId) {
        TaskEntry t = task(ns, id);
        if (t.deadExit != null) {
            return t.deadExit;
        }
        if (t.dying()) {
            // waiting for the exit is what was asked: the clean-up's end is the exit
            return t.cleanup.join();
        }
        var r = call(t, () -> t.shim().api().wait(WaitRequest.newBuilder().setId(id).setExecId(execId).build()));
        Exit exit = new Exit(0, r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(null));
        if (execId.isEmpty()) {
            t.initExited(exit);
        }
        return exit;
    }

    /** Deletes a stopped (or never started) task: its process, rootfs mounts and bundle; its shim's group loses it. */
    public Exit delete(String ns, String id) {
        TaskEntry t = task(ns, id);
        Exit exit;
        boolean shimWasDead = t.deadExit != null;
        if (shimWasDead) {
            exit = t.deadExit;
        } else {
            var r = call(t, () -> t.shim().api().delete(DeleteRequest.newBuilder().setId(id).build()));
            exit = new Exit(r.getPid(), r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(Instant.now()));
        }
        if (tasks.remove(key(ns, id), t) && t.shim() != null) {
            groups.left(t.shim(), key(ns, id));
        }
        retireBundle(ns, id, t.bundle());
        if (shimWasDead) {
            // a live shim publishes its own /tasks/delete; a dead one cannot
            TaskDelete.Builder ev = TaskDelete.newBuilder().setContainerId(id).setId(id).setPid(exit.pid()).setExitStatus(exit.status());
            Timestamps.setIfKnown(exit.at(), ev::setExitedAt);
            events.publish(ns, "/tasks/delete", ev.build());
        }
        return exit;
    }

    public Exit deleteProcess(String ns, String id, String execId) {
        TaskEntry t = task(ns, id);
        var r = call(t, () -> t.shim().api().delete(DeleteRequest.newBuilder().setId(id).setExecId(execId).build()));
        return new Exit(r.getPid(), r.getExitStatus(), Timestamps.toInstant(r.getExitedAt()).orElse(Instant.now()));
    }

    public void exec(String ns, String id, String execId, boolean terminal, String stdin, String stdout, String stderr, Opaque processSpec) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().exec(ExecProcessRequest.newBuilder().setId(id).setExecId(execId).setTerminal(terminal)
                .setStdin(stdin).setStdout(stdout).setStderr(stderr).setSpec(any(processSpec)).build()));
    }

    public void pause(String ns, String id) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().pause(PauseRequest.newBuilder().setId(id).build()));
    }

    public void resume(String ns, String id) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().resume(ResumeRequest.newBuilder().setId(id).build()));
    }

    public List<ProcessInfo> pids(String ns, String id) {
        TaskEntry t = task(ns, id);
        return call(t, () -> t.shim().api().pids(PidsRequest.newBuilder().setId(id).build()).getProcessesList());
    }

    public void resizePty(String ns, String id, String execId, int width, int height) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().resizePty(ResizePtyRequest.newBuilder().setId(id).setExecId(execId)
                .setWidth(width).setHeight(height).build()));
    }

    public void closeStdin(String ns, String id, String execId) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().closeIO(CloseIORequest.newBuilder().setId(id).setExecId(execId).setStdin(true).build()));
    }

    public void update(String ns, String id, Opaque resources, Map<String, String> annotations) {
        TaskEntry t = task(ns, id);
        call(t, () -> t.shim().api().update(UpdateTaskRequest.newBuilder().setId(id).setResources(any(resources))
                .putAllAnnotations(annotations).build()));
    }

    /** The cgroup metrics of a task (an Any of io.containerd.cgroups.v1.Metrics or .v2). */
    public Any stats(String ns, String id) {
        TaskEntry t = task(ns, id);
        return call(t, () -> t.shim().api().stats(StatsRequest.newBuilder().setId(id).build()).getStats());
    }

    public List<String> ids(String ns) {
        return tasks.values().stream().filter(t -> t.ns().equals(ns)).map(TaskEntry::id).sorted().toList();
    }

    public boolean exists(String ns, String id) {
        return tasks.containsKey(key(ns, id));
    }

    private TaskEntry task(String ns, String id) {
        TaskEntry t = tasks.get(key(ns, id));
        if (t == null) {
            containers.get(ns, id);
            throw JcdException.notFound("task %s not found", id);
        }
        return t;
    }

    private <T> T call(TaskEntry t, Supplier<T> rpc) {
        if (t.shim() == null && t.deadExit == null) {
            // found at start-up with its shim gone: its clean-up runs (scheduled then, or now)
            deadTasks.cleanUp(t, "its shim was gone when the daemon started");
        }
        if (t.deadExit != null) {
            throw stopped(t);
        }
        if (t.dying()) {
            throw beingCleanedUp(t);
        }
        try {
            return rpc.get();
        } catch (RuntimeException e) {
            if (t.shim() != null) {
                groups.check(t.shim());
                if (t.deadExit != null) {
                    throw stopped(t);
                }
                if (t.dying()) {
                    throw beingCleanedUp(t);
                }
            }
            throw fromShim(e, t.ns(), t.id());
        }
    }

    private static JcdException beingCleanedUp(TaskEntry t) {
        return JcdException.unavailable("the shim of task %s in namespace %s died; its container is being killed and cleaned up: "
                + "retry when the task is STOPPED", t.id(), t.ns());
    }

    private static JcdException stopped(TaskEntry t) {
        return JcdException.failedPrecondition("task %s in namespace %s stopped because its shim died; the container was killed "
                + "(exit status %d): delete it", t.id(), t.ns(), t.deadExit.status());
    }

    private static JcdException fromShim(RuntimeException e, String ns, String id) {
        if (e instanceof TtrpcException gone) {
            return JcdException.unavailable("the shim of task %s in namespace %s is gone (%s): the task is lost; delete it",
                    id, ns, gone.getMessage());
        }
        if (e instanceof JcdException j) {
            return j;
        }
        return JcdException.of(ErrorKind.UNKNOWN, "task " + id + " in namespace " + ns + ": " + StatusCodes.messageOf(e), e);
    }

    /** {@code shim} died without deleting its tasks: every task in it is killed, cleaned up and reported STOPPED. */
    private void shimDied(Shim shim) {
        List<TaskEntry> lost = tasks.values().stream().filter(t -> t.shim() == shim).toList();
        String tail = shim.bury();
        if (tail != null) {
            LOG.warning(() -> shim + " died with " + lost.size() + " task(s) in it; killing and cleaning up their containers. "
                    + "Its log ends: " + tail);
        }
        deadTasks.cleanUp(lost, shim + " died");
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

    /** Stops the spare; group shims run on with their containers, only the connections close. */
    @Override
    public void close() {
        deadTasks.close();
        groups.close();
    }
}
