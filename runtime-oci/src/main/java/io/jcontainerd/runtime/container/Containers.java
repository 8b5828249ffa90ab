package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.init.HookRunner;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Syscalls;
import io.jcontainerd.runtime.spec.Json;
import io.jcontainerd.runtime.spec.Linux;
import io.jcontainerd.runtime.spec.Spec;
import io.jcontainerd.runtime.spec.SpecLoader;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The lifecycle operations behind the CLI: create, start, state, kill, delete, pause, resume, exec. */
public final class Containers {
    public static final String OCI_VERSION = "1.0.2-dev";
    private static final Syscalls SYS = new JnaSyscalls();
    private final StateStore store;
    private final Children children;
    private final Supplier<InitCommand> initCommand;
    private final SpareInit spare;
    /** The CRI's annotation naming a pod sandbox's container (containerd's), whose pod's containers join its namespaces. */
    static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";
    static final String SANDBOX = "sandbox";

    /** The jrunc command's: it waits for its own children, and its init stage runs from its own jar. */
    public Containers(Path root) { this(root, Children.own(), InitCommand::current, null); }

    /**
     * @param children    starts and reaps the init stages and hooks (see {@link Children})
     * @param initCommand the init stage's command line
     * @param spare       an init stage started ahead of need, taken by a create it fits; null: none
     */
    public Containers(Path root, Children children, Supplier<InitCommand> initCommand, SpareInit spare) {
        this.store = new StateStore(root);
        this.children = children;
        this.initCommand = initCommand;
        this.spare = spare;
    }

    /** The {@link SpareInit} an embedding process keeps for the Containers it makes, launched like theirs. */
    public static SpareInit spareInit(Children children, Supplier<InitCommand> initCommand) {
        return new SpareInit(() -> new InitLauncher(new JnaSyscalls(), initCommand.get(), children), children);
    }

    public StateStore store() { return store; }

    /** Creates the container and leaves its init waiting on exec.fifo; returns the init's host pid. */
    public int create(String id, Path bundle, PlanBuilder.CreateOptions options, String pidFile) {
        return create(id, bundle, options, pidFile, StdioFds.INHERITED);
    }

    /** {@link #create(String, Path, PlanBuilder.CreateOptions, String)} with the container's stdio given. */
    public int create(String id, Path bundle, PlanBuilder.CreateOptions options, String pidFile, StdioFds stdio) {
        StateStore.validateId(id);
        LaunchJail.prepare(SYS, initCommand.get());
        Path absBundle = bundle.toAbsolutePath().normalize();
        SpecLoader.Loaded loaded = SpecLoader.loadWithTree(absBundle);
        Spec spec = loaded.spec();
        HostLsm.current().check(spec.process(), spec.linux().mountLabel()); // before anything exists
        Path dir = store.reserve(id);
        CgroupManager cgroup = null;
        InitLauncher.Launched init = null;
        WholeProcessMove move = null;
        int mountNs = -1;
        try {
            int flags = 0;
            Map<String, Integer> joins = new LinkedHashMap<>();
            for (Linux.Namespace ns : spec.linux().namespaces()) {
                if (ns.type().equals("mount") || ns.type().equals("cgroup")) continue; // done by the launcher / init stage
                int flag = LinuxConstants.namespaceFlag(ns.type());
                if (ns.path() == null || ns.path().isEmpty()) flags |= flag;
                else joins.put(ns.path(), flag);
            }
            // the init JVM boots (tens of ms) while this one creates the cgroup and the fifo and builds the plan
            int unshare = flags;
            Optional<InitLauncher.Launched> booted = spare == null ? Optional.empty() : spare.take(flags, joins, options.preserveFds(), stdio);
            init = booted.orElseGet(() -> launcher().launch(unshare, joins, options.preserveFds(), stdio));
            if (spare != null && SANDBOX.equals(spec.annotations().get(CONTAINER_TYPE))) {
                spare.prepareFollower(id, followerJoins(spec, init.pid()));
            }
            // where it sets the container up: copied now, after the rootfs was mounted (the jail it boots in has no host path)
            mountNs = launcher().mountNamespace();
            cgroup = CgroupManager.forContainer(spec.linux().cgroupsPath(), id);
            cgroup.create(spec.linux().resources());
            // a hybrid host's unified hierarchy takes whole processes only (WholeProcessMove): a fresh init moves
            // there while its JVM boots, a booted one (spare, follower) once it has joined the other hierarchies;
            // create returns only once it is there
            move = new WholeProcessMove(cgroup, init.pid());
            if (booted.isEmpty()) move.start();
            Path fifo = store.fifo(id);
            if (LibC.INSTANCE.mknod(fifo.toString(), LinuxConstants.S_IFIFO | 0622, 0) < 0) {
                throw JruncException.system("cannot create %s: errno %d", fifo, com.sun.jna.Native.getLastError());
            }
            LibC.INSTANCE.chmod(fifo.toString(), 0622);
            InitPlan plan = PlanBuilder.forCreate(id, spec, absBundle, cgroup,
                    new PlanBuilder.CreateOptions(fifo.toString(), options.consoleSocket(), options.preserveFds(), options.noPivot()));
            PlanHandOver.send(SYS, init.channel(), plan, mountNs);
            ContainerState state = new ContainerState(OCI_VERSION, id, init.pid(), 0, absBundle.toString(),
                    Path.of(plan.rootfs().path()).toString(), Instant.now().toString(), "", spec.annotations(),
                    spec.linux().cgroupsPath(), (flags & LinuxConstants.CLONE_NEWPID) != 0, spec);
            awaitReady(init, spec, state, move, plan.newCgroupNs() || plan.joinCgroupNs() != null);
            move.await();
            state = new ContainerState(state.ociVersion(), id, init.pid(), ProcStat.startTime(init.pid()), state.bundle(),
                    state.rootfs(), state.created(), "", state.annotations(), state.cgroupsPath(), state.newPidNamespace(), spec);
            store.save(state, loaded.tree());
            if (pidFile != null) writePidFile(Path.of(pidFile), init.pid());
            return init.pid();
        } catch (RuntimeException e) {
            // a sandbox's follower first: once it joined the sandbox's pid namespace, the init (that namespace's
            // PID 1) cannot finish dying until the follower, a child of this process, is killed and reaped
            if (spare != null) spare.discardFollower(id);
            if (init != null) {
                LibC.INSTANCE.kill(init.pid(), LinuxConstants.SIGKILL);
                children.await(init.pid());
            }
            if (move != null) move.settle(); // before the cgroup goes
            if (cgroup != null) {
                try {
                    cgroup.destroy();
                } catch (RuntimeException ignored) {
                    // reported below with the original error
                }
            }
            store.remove(id);
            throw e;
        } finally {
            if (mountNs >= 0) SYS.close(mountNs);
            if (init != null) init.channel().close();
            if (!Files.exists(dir)) store.remove(id);
        }
    }

    /**
     * The namespaces of a pod sandbox's init that the pod's containers join: its pid, ipc, uts and network
     * ones, those its spec has; one the spec joins by path is that file (a spare that took the create
     * joins its network namespace only once it read its stdio, after this returns), one it creates is
     * the init's.
     */
    private static Map<String, Integer> followerJoins(Spec spec, int pid) {
        Map<String, Integer> joins = new LinkedHashMap<>();
        for (Linux.Namespace ns : spec.linux().namespaces()) {
            switch (ns.type()) {
                case "pid", "ipc", "uts", "network" -> joins.put(ns.path() != null && !ns.path().isEmpty() ? ns.path()
                        : "/proc/" + pid + "/ns/" + LinuxConstants.procNsName(ns.type()), LinuxConstants.namespaceFlag(ns.type()));
                default -> { }
            }
        }
        return joins;
    }

    /**
     * Serves the init's lines until "ready": "cgroups" (it has joined the hierarchies it joins itself: the
     * whole-process move may start; with a cgroup namespace to enter it waits for that move, so that the
     * namespace's root is the container's cgroup in every hierarchy), "hooks" (the runtime hooks run here).
     */
    private void awaitReady(InitLauncher.Launched init, Spec spec, ContainerState state, WholeProcessMove move, boolean cgroupNs) {
        while (true) {
            String line = init.channel().receive();
            if (line == null) throw JruncException.system("container init (pid %d) exited before it was ready", init.pid());
            if (line.equals("ready")) return;
            if (line.startsWith("error ")) throw JruncException.system("container init: %s", line.substring(6));
            if (line.equals("cgroups")) {
                move.start();
                if (cgroupNs) {
                    try {
                        move.await();
                    } catch (RuntimeException e) {
                        init.channel().send("abort " + e.getMessage());
                        throw e;
                    }
                    init.channel().send("resume");
                }
            }
            if (line.equals("hooks")) {
                try {
                    String s = hookState(state, Status.CREATING, init.pid());
                    HookRunner.run(hooks(), "prestart", spec.hooks().prestart(), s);
                    HookRunner.run(hooks(), "createRuntime", spec.hooks().createRuntime(), s);
                    init.channel().send("resume");
                } catch (RuntimeException e) {
                    init.channel().send("abort " + e.getMessage());
                    throw e;
                }
            }
        }
    }

    public void start(String id) {
        ContainerState s = store.load(id);
        Status st = status(s);
        if (st != Status.CREATED) throw JruncException.failedPrecondition("cannot start container %s: it is %s, not created", id, st.json());
        Path fifo = store.fifo(id);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
        byte[] got = null;
        for (int i = 0; i < 60_000 && got == null; i++) {
            try {
                got = read.get(5, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (!ProcStat.alive(s.pid(), s.pidStartTime())) {
                    // it may have read our fifo and already run to completion (`true`): give the reader a moment
                    try {
                        got = read.get(200, TimeUnit.MILLISECONDS);
                    } catch (Exception gone) {
                        break;
                    }
                }
            } catch (Exception e) {
                throw JruncException.system("cannot start container %s: %s", id, e.getMessage());
            }
        }
        if (got == null) releaseReader(fifo);
        if (got == null || got.length == 0) throw JruncException.failedPrecondition("cannot start container %s: its init process exited", id);
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw JruncException.system("cannot remove %s: %s", fifo, e.getMessage());
        }
        String result = new String(got, java.nio.charset.StandardCharsets.UTF_8);
        // the init stage writes "0", or why it will not exec (a failed startContainer hook) and exits
        if (result.startsWith("error ")) throw JruncException.system("cannot start container %s: %s", id, result.substring(6));
        // runtime.md: a failing poststart hook is a warning; the remaining hooks and the lifecycle go on
        for (String failure : HookRunner.runEach(hooks(), "poststart", s.config().hooks().poststart(), hookState(s, Status.RUNNING, s.pid()))) {
            System.err.println("jrunc: warning: " + failure);
        }
    }

    /**
     * The reader thread may still be blocked opening the fifo (its init died before opening it):
     * a writer that comes and goes lets its open return, so no thread stays behind in a process
     * that outlives this call.
     */
    private static void releaseReader(Path fifo) {
        int fd = LibC.INSTANCE.open(fifo.toString(), LinuxConstants.O_WRONLY | LinuxConstants.O_NONBLOCK | LinuxConstants.O_CLOEXEC, 0);
        if (fd >= 0) LibC.INSTANCE.close(fd);
    }

    public Status status(ContainerState s) {
        if (!ProcStat.alive(s.pid(), s.pidStartTime())) return Status.STOPPED;
        if (cgroup(s).frozen()) return Status.PAUSED;
        if (Files.exists(store.fifo(s.id()))) return Status.CREATED;
        return Status.RUNNING;
    }

    /** What hooks read on stdin (runc's shape, not `state`'s). */
    private static String hookState(ContainerState s, Status status, int pid) {
        return HookRunner.stateJson(s.ociVersion(), s.id(), status.json(), pid, s.bundle(), s.annotations());
    }

    public CgroupManager cgroup(ContainerState s) { return CgroupManager.ofExisting(s.cgroupsPath(), s.id()); }

    /** runc's `state` output. */
    public String stateJson(ContainerState s, Status status) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("ociVersion", s.ociVersion());
        n.put("id", s.id());
        n.put("pid", status == Status.STOPPED ? 0L : (long) s.pid());
        n.put("status", status.json());
        n.put("bundle", s.bundle());
        n.put("rootfs", s.rootfs());
        n.put("created", s.created());
        n.put("owner", s.owner());
        if (!s.annotations().isEmpty()) n.put("annotations", new LinkedHashMap<>(s.annotations()));
        return Json.write(n);
    }

    public String state(String id) {
        ContainerState s = store.load(id);
        return stateJson(s, status(s));
    }

    public void kill(String id, int signal, boolean all) {
        ContainerState s = store.load(id);
        Status st = status(s);
        if (st == Status.STOPPED) throw JruncException.failedPrecondition("container %s is not running", id);
        if (all) {
            // a paused container stays paused unless it is being killed
            signalAll(cgroup(s), signal, st != Status.PAUSED || signal == LinuxConstants.SIGKILL);
            return;
        }
        if (LibC.INSTANCE.kill(s.pid(), signal) < 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno == io.jcontainerd.runtime.linux.Errno.ESRCH) {
                // it exited (and was reaped) since the status check: not running, as above
                throw JruncException.failedPrecondition("container %s is not running (pid %d: no such process)", id, s.pid());
            }
            throw JruncException.system("cannot signal container %s (pid %d): errno %d", id, s.pid(), errno);
        }
    }

    public void delete(String id, boolean force) {
        StateStore.validateId(id);
        if (spare != null) spare.discardFollower(id);
        var found = store.find(id);
        if (found.isEmpty()) {
            // like runc: --force also clears a half-created directory and is not an error when nothing is there
            if (force) {
                store.remove(id);
                return;
            }
            throw JruncException.notFound("container %s does not exist in %s", id, store.root());
        }
        ContainerState s = found.get();
        Status st = status(s);
        if ((st == Status.RUNNING || st == Status.PAUSED) && !force) {
            throw JruncException.failedPrecondition("cannot delete container %s that is not stopped: %s (use --force)", id, st.json());
        }
        CgroupManager cg = cgroup(s);
        if (st != Status.STOPPED) {
            killAll(s, cg);
        } else if (!s.newPidNamespace()) {
            killAll(s, cg);
        }
        try {
            cg.destroy();
        } finally {
            store.remove(id);
        }
        if (!s.config().hooks().poststop().isEmpty()) {
            // runtime.md: a failing poststop hook is a warning; the remaining hooks and the lifecycle go on
            for (String failure : HookRunner.runEach(hooks(), "poststop", s.config().hooks().poststop(), hookState(s, Status.STOPPED, s.pid()))) {
                System.err.println("jrunc: warning: " + failure);
            }
        }
    }

    /**
     * runc's signalAllProcesses: freeze the cgroup, signal every process in it (sub-cgroups included), thaw. A
     * frozen process can neither fork nor exit, so nothing started after the pids were read escapes. If the
     * freezer does not settle (a process in an uninterruptible sleep), the signals go out anyway, as in runc.
     */
    private static void signalAll(CgroupManager cg, int signal, boolean thaw) {
        boolean frozen = false;
        try {
            cg.freeze();
            frozen = true;
        } catch (JruncException e) {
            System.err.println("jrunc: warning: signalling without freezing: " + e.getMessage());
        }
        try {
            for (int pid : cg.pids()) LibC.INSTANCE.kill(pid, signal);
        } finally {
            if (thaw && (frozen || cg.frozen())) cg.thaw();
        }
    }

    private void killAll(ContainerState s, CgroupManager cg) {
        for (int round = 0; round < 1000; round++) {
            // a pass of SIGKILL under the freezer reaches everything; more passes only if the freezer could not settle
            if (round % 100 == 0) {
                signalAll(cg, LinuxConstants.SIGKILL, true);
                if (ProcStat.alive(s.pid(), s.pidStartTime())) LibC.INSTANCE.kill(s.pid(), LinuxConstants.SIGKILL);
            }
            if (!ProcStat.alive(s.pid(), s.pidStartTime()) && cg.pids().isEmpty()) return;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw JruncException.system("container %s: processes %s did not die after SIGKILL", s.id(), cg.pids());
    }

    /**
     * jrunc update: request (a LinuxResources tree, from source) is merged into the container's resources as
     * runc merges it, applied to its cgroup and kept in state.json. When the kernel refuses a value the
     * previous limits are written back and nothing is kept.
     */
    @SuppressWarnings("unchecked")
    public void update(String id, Object request, String source) {
        ContainerState s = store.load(id);
        if (status(s) == Status.STOPPED) throw JruncException.failedPrecondition("cannot update container %s: it is stopped", id);
        Map<String, Object> config = store.configTree(id);
        Map<String, Object> linux = (Map<String, Object>) config.computeIfAbsent("linux", k -> new LinkedHashMap<>());
        ResourceUpdate u = ResourceUpdate.of(linux.get("resources"), request, source);
        CgroupManager cg = cgroup(s);
        try {
            cg.update(u.resources());
        } catch (JruncException e) {
            try {
                cg.update(s.config().linux().resources());
            } catch (RuntimeException ignored) {
                // the first error is the one to report
            }
            throw new JruncException(e.kind(), "cannot update container %s: %s; its previous limits are kept".formatted(id, e.getMessage()), e);
        }
        linux.put("resources", u.merged());
        store.save(s, config);
    }

    public void pause(String id) {
        ContainerState s = store.load(id);
        Status st = status(s);
        // runc pauses a created container too (its init stage is frozen; resume makes it created again)
        if (st != Status.RUNNING && st != Status.CREATED) {
            throw JruncException.failedPrecondition("cannot pause container %s: it is %s, not running or created", id, st.json());
        }
        cgroup(s).freeze();
    }

    public void resume(String id) {
        ContainerState s = store.load(id);
        Status st = status(s);
        if (st != Status.PAUSED) throw JruncException.failedPrecondition("cannot resume container %s: it is %s, not paused", id, st.json());
        cgroup(s).thaw();
    }

    /** jrunc exec: starts another process in a running container; returns its exit status (0 when detached). */
    public int exec(String id, io.jcontainerd.runtime.spec.Process process, boolean detach, String pidFile,
                    String consoleSocket, int preserveFds) {
        return exec(id, process, detach, pidFile, consoleSocket, preserveFds, StdioFds.INHERITED);
    }

    /** {@link #exec(String, io.jcontainerd.runtime.spec.Process, boolean, String, String, int)} with the process's stdio given. */
    public int exec(String id, io.jcontainerd.runtime.spec.Process process, boolean detach, String pidFile,
                    String consoleSocket, int preserveFds, StdioFds stdio) {
        LaunchJail.prepare(SYS, initCommand.get());
        ContainerState s = store.load(id);
        Status st = status(s);
        if (st != Status.RUNNING && st != Status.CREATED) {
            throw JruncException.failedPrecondition("cannot exec in container %s: it is %s, not running", id, st.json());
        }
        if (process.args().isEmpty()) throw JruncException.invalidArgument("exec: no command given for container %s", id);
        CgroupManager cgroup = cgroup(s);
        // created: the init stage's exec thread is the only one in the container's mount namespace; running: the
        // program holds the pid (start returns after its execve), and its own threads are never searched
        String nsDir = st == Status.CREATED ? InitThread.procDir(s.pid()) : "/proc/" + s.pid();
        InitPlan plan = PlanBuilder.forExec(s.config(), process, nsDir, cgroup, consoleSocket, preserveFds);
        Map<String, Integer> joins = new LinkedHashMap<>();
        for (Linux.Namespace ns : s.config().linux().namespaces()) {
            if (ns.type().equals("mount") || ns.type().equals("cgroup")) continue;
            joins.put("/proc/" + s.pid() + "/ns/" + LinuxConstants.procNsName(ns.type()), LinuxConstants.namespaceFlag(ns.type()));
        }
        InitLauncher.Launched init = launcher().launch(0, joins, preserveFds, stdio);
        try {
            cgroup.adopt(init.pid());
            int mountNs = -1;
            try {
                mountNs = SYS.open(plan.joinMountNs(), LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
                PlanHandOver.send(SYS, init.channel(), plan, mountNs);
            } catch (RuntimeException e) {
                LibC.INSTANCE.kill(init.pid(), LinuxConstants.SIGKILL);
                children.await(init.pid());
                throw e;
            } finally {
                if (mountNs >= 0) SYS.close(mountNs);
            }
            String line = init.channel().receive();
            if (line == null || !line.equals("ready")) {
                LibC.INSTANCE.kill(init.pid(), LinuxConstants.SIGKILL);
                children.await(init.pid());
                throw JruncException.system("exec in container %s failed: %s", id,
                        line == null ? "the process exited during setup" : line.replaceFirst("^error ", ""));
            }
        } finally {
            init.channel().close();
        }
        if (pidFile != null) writePidFile(Path.of(pidFile), init.pid());
        return detach ? 0 : waitExit(init.pid());
    }

    /** Waits for a child of this jrunc (the init of `run`, or an exec'd process); returns runc's exit status. */
    public int waitExit(int pid) {
        return children.await(pid);
    }

    /** Pids of every process in the container's cgroup (host pids). */
    public List<Integer> pids(String id) {
        return cgroup(store.load(id)).pids();
    }

    /** The container's cgroup statistics; fails when the container has stopped. */
    public CgroupManager.Stats stats(String id) {
        ContainerState s = store.load(id);
        if (status(s) == Status.STOPPED) throw JruncException.failedPrecondition("container %s is not running", id);
        return cgroup(s).stats();
    }

    /** prestart, createRuntime, poststart and poststop hooks: run on the host, started and reaped through children. */
    private Syscalls hooks() { return new ChildrenSyscalls(children); }

    private InitLauncher launcher() {
        return new InitLauncher(new JnaSyscalls(), initCommand.get(), children);
    }

    public static void writePidFile(Path file, int pid) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Integer.toString(pid), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw JruncException.system("cannot write pid file %s: %s", file, e.getMessage());
        }
    }
}
