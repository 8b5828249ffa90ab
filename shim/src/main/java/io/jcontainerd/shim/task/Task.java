package io.jcontainerd.shim.task;

import io.jcontainerd.api.events.TaskCreate;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExecAdded;
import io.jcontainerd.api.events.TaskExecStarted;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.events.TaskIO;
import io.jcontainerd.api.events.TaskPaused;
import io.jcontainerd.api.events.TaskResumed;
import io.jcontainerd.api.events.TaskStart;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.config.FileModes;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.shim.events.EventSink;
import io.jcontainerd.shim.io.ConsoleSocket;
import io.jcontainerd.shim.io.ProcessIo;
import io.jcontainerd.shim.io.Stdio;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.linux.SyscallException;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.ExitStatusFile;
import io.jcontainerd.shim.process.Reaper;
import io.jcontainerd.shim.runtime.OciRuntime;
import io.jcontainerd.shim.runtime.RuntimeSelector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The one container a shim runs: its init process and its execs, driven through the OCI runtime.
 * Operations are serialized by one lock; exits arrive from the {@link Reaper} and are handled on
 * their own thread without that lock (an operation may be waiting for one).
 *
 * <p>The task events (/tasks/create, start, exec-added, exec-started, paused, resumed, exit,
 * delete) are published from here, as containerd's shims do, so the supervisor only forwards
 * them, in containerd's order: Start holds {@code eventLock} across starting and publishing, so a
 * process's start event precedes its exit event, and Delete publishes only after the exit event.
 */
public final class Task {
    /** How long an exit waits for a terminal's last output to reach stdout. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final String namespace;
    private final String id;
    private final Path bundle;
    private final ShimSyscalls sys;
    private final Reaper reaper;
    private final RuntimeSelector runtimes;
    private final EventSink events;
    private final Executor exitHandlers;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock eventLock = new ReentrantLock();
    private final Map<String, ShimProcess> execs = new LinkedHashMap<>();
    private OciRuntime runtime;
    private ShimProcess init;
    private int rootfsMounts;
    private boolean deleted;

    public Task(String namespace, String id, Path bundle, ShimSyscalls sys, Reaper reaper, RuntimeSelector runtimes,
                EventSink events, Executor exitHandlers) {
        this.namespace = namespace;
        this.id = id;
        this.bundle = bundle;
        this.sys = sys;
        this.reaper = reaper;
        this.runtimes = runtimes;
        this.events = events;
        this.exitHandlers = exitHandlers;
    }

    public String id() {
        return id;
    }

    public String namespace() {
        return namespace;
    }

    public Path bundle() {
        return bundle;
    }

    /** Runtime create: mounts the rootfs, opens stdio, and leaves the init process created, not started. */
    public int create(String requestId, String requestBundle, List<Mount> rootfs, Stdio stdio,
                      String runtimeBinary, String runtimeRoot) {
        checkId(requestId);
        if (!requestBundle.isEmpty() && !Path.of(requestBundle).equals(bundle)) {
            throw JcdException.invalidArgument("bundle %s is not this shim's bundle %s: start one shim per bundle",
                    requestBundle, bundle);
        }
        return locked(() -> {
            if (init != null) {
                throw JcdException.alreadyExists("task %s already exists in namespace %s", id, namespace);
            }
            OciRuntime selected = runtimes.select(runtimeBinary, runtimeRoot);
            ShimProcess process = new ShimProcess("", stdio, null);
            int mounted = RootfsMounts.mount(sys, bundle, rootfs);
            ProcessIo io = null;
            try {
                io = ProcessIo.open(sys, stdio);
                Path pidFile = bundle.resolve("init.pid");
                long before = reaper.mark();
                try (ConsoleSocket console = stdio.terminal() ? ConsoleSocket.open(sys) : null) {
                    selected.create(id, bundle, pidFile, Optional.ofNullable(console).map(ConsoleSocket::path), io.runtimeStdio());
                    io.spawned();
                    int pid = readPid(pidFile);
                    process.created(pid, io);
                    watch(process, pid, before);
                    if (console != null) {
                        io.attachConsole(console.receiveMaster());
                    }
                }
            } catch (RuntimeException e) {
                if (io != null) {
                    io.close(Duration.ZERO);
                }
                if (process.pid() > 0) {
                    bestEffort(() -> selected.delete(id, true));
                }
                RootfsMounts.unmount(sys, bundle, mounted);
                throw e;
            }
            runtime = selected;
            rootfsMounts = mounted;
            init = process;
            events.publish("/tasks/create", TaskCreate.newBuilder()
                    .setContainerId(id)
                    .setBundle(bundle.toString())
                    .addAllRootfs(rootfs)
                    .setIo(TaskIO.newBuilder().setStdin(stdio.stdin()).setStdout(stdio.stdout())
                            .setStderr(stdio.stderr()).setTerminal(stdio.terminal()))
                    .setPid(process.pid())
                    .build());
            return process.pid();
        });
    }

    /** Starts the init process or a registered exec; returns its pid. */
    public int start(String requestId, String execId) {
        checkId(requestId);
        return locked(() -> {
            ShimProcess process = process(execId);
            if (process.started()) {
                throw JcdException.failedPrecondition("process %s of task %s is already started", name(execId), id);
            }
            eventLock.lock();
            try {
                return startLocked(process);
            } finally {
                eventLock.unlock();
            }
        });
    }

    private int startLocked(ShimProcess process) {
        if (process.isInit()) {
            runtime.start(id);
            process.running();
            events.publish("/tasks/start", TaskStart.newBuilder().setContainerId(id).setPid(process.pid()).build());
            return process.pid();
        }
        int pid = startExec(process);
        events.publish("/tasks/exec-started", TaskExecStarted.newBuilder()
                .setContainerId(id).setExecId(process.execId).setPid(pid).build());
        return pid;
    }

    private int startExec(ShimProcess process) {
        ProcessIo io = ProcessIo.open(sys, process.stdio);
        Path spec = bundle.resolve("exec-" + process.execId + ".json");
        Path pidFile = bundle.resolve("exec-" + process.execId + ".pid");
        try {
            FileModes.writePrivate(spec, process.specJson);
            long before = reaper.mark();
            try (ConsoleSocket console = process.stdio.terminal() ? ConsoleSocket.open(sys) : null) {
                runtime.exec(id, spec, pidFile, Optional.ofNullable(console).map(ConsoleSocket::path), io.runtimeStdio());
                io.spawned();
                int pid = readPid(pidFile);
                process.created(pid, io);
                watch(process, pid, before);
                if (console != null) {
                    io.attachConsole(console.receiveMaster());
                }
            }
            process.running();
            return process.pid();
        } catch (IOException e) {
            io.close(Duration.ZERO);
            throw JcdException.failedPrecondition("cannot write the exec process spec %s: %s", spec, e.getMessage());
        } catch (RuntimeException e) {
            io.close(Duration.ZERO);
            throw e;
        } finally {
            deleteQuietly(spec);
            deleteQuietly(pidFile);
        }
    }

    /** Registers an exec (OCI Process JSON); {@link #start} runs it. */
    public void exec(String requestId, String execId, Stdio stdio, String processJson) {
        checkId(requestId);
        Identifiers.validate("exec id", execId);
        locked(() -> {
            ShimProcess initProcess = requireInit();
            if (execs.containsKey(execId)) {
                throw JcdException.alreadyExists("exec %s already exists in task %s", execId, id);
            }
            if (initProcess.status() == ProcessStatus.STOPPED) {
                throw JcdException.failedPrecondition("task %s has stopped: cannot exec %s in it", id, execId);
            }
            execs.put(execId, new ShimProcess(execId, stdio, processJson));
            events.publish("/tasks/exec-added", TaskExecAdded.newBuilder().setContainerId(id).setExecId(execId).build());
        });
    }

    public ProcessView state(String requestId, String execId) {
        checkId(requestId);
        return locked(() -> {
            return process(execId).view();
        });
    }

    /** Every process the shim knows, init first. */
    public List<ProcessView> processes() {
        return locked(() -> {
            List<ProcessView> all = new ArrayList<>();
            if (init != null && !deleted) {
                all.add(init.view());
                execs.values().forEach(p -> all.add(p.view()));
            }
            return all;
        });
    }

    public void kill(String requestId, String execId, int signal, boolean all) {
        checkId(requestId);
        locked(() -> {
            ShimProcess process = process(execId);
            ProcessStatus status = process.status();
            if (status == ProcessStatus.STOPPED) {
                throw JcdException.notFound("process %s of task %s has already exited", name(execId), id);
            }
            if (process.isInit()) {
                try {
                    runtime.kill(id, signal, all);
                } catch (JcdException e) {
                    // the init exited between the status check and the kill, before its exit reached us (the
                    // runtime says "not running"): as containerd's shim (checkKillError) that is NotFound
                    // "already finished", not a failure
                    if (e.kind() == ErrorKind.FAILED_PRECONDITION) {
                        throw JcdException.notFound("process %s of task %s has already exited (%s)", name(execId), id, e.getMessage());
                    }
                    throw e;
                }
                return;
            }
            if (!process.started()) {
                throw JcdException.failedPrecondition("exec %s of task %s is not started", execId, id);
            }
            try {
                sys.kill(process.pid(), signal);
            } catch (SyscallException e) {
                throw JcdException.notFound("process %s of task %s: %s", execId, id, e.getMessage());
            }
        });
    }

    /** Blocks until the process exits; returns at once with the kept status when it has. */
    public ExitStatus await(String requestId, String execId) throws InterruptedException {
        checkId(requestId);
        ShimProcess process = locked(() -> process(execId));
        try {
            return process.exited.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Removes a stopped process. For init, the runtime's state, the rootfs mounts and every exec
     * go too, and the task is gone.
     */
    public ExitStatus delete(String requestId, String execId) {
        checkId(requestId);
        return locked(() -> {
            ShimProcess process = process(execId);
            ProcessStatus status = process.status();
            if (status == ProcessStatus.RUNNING || status == ProcessStatus.PAUSED) {
                throw JcdException.failedPrecondition("process %s of task %s is %s: kill it before deleting it",
                        name(execId), id, status.name().toLowerCase());
            }
            if (!process.isInit()) {
                // no /tasks/delete for an exec: containerd's runc shim publishes it for the init only
                execs.remove(execId);
                ExitStatus exit = process.exit();
                return exit != null ? exit : new ExitStatus(0, 0, Instant.now());
            }
            runtime.delete(id, true);
            ExitStatus exit = process.exit();
            if (exit == null) {
                // A created task: delete --force killed its init; its exit comes from the reaper.
                exit = awaitQuietly(process, Duration.ofSeconds(10));
            }
            for (ShimProcess exec : execs.values()) {
                ProcessIo io = exec.io();
                if (io != null) {
                    io.close(Duration.ZERO);
                }
            }
            execs.clear();
            RootfsMounts.unmount(sys, bundle, rootfsMounts);
            rootfsMounts = 0;
            deleteQuietly(bundle.resolve("init.pid"));
            deleted = true;
            return published(process, exit != null ? exit : new ExitStatus(process.pid(), 255, Instant.now()), id);
        });
    }

    public void pause(String requestId) {
        checkId(requestId);
        locked(() -> {
            ShimProcess process = requireRunning();
            runtime.pause(id);
            process.paused(true);
            events.publish("/tasks/paused", TaskPaused.newBuilder().setContainerId(id).build());
        });
    }

    public void resume(String requestId) {
        checkId(requestId);
        locked(() -> {
            ShimProcess process = requireInit();
            if (process.status() != ProcessStatus.PAUSED) {
                throw JcdException.failedPrecondition("task %s is not paused (it is %s)", id, process.status().name().toLowerCase());
            }
            runtime.resume(id);
            process.paused(false);
            events.publish("/tasks/resumed", TaskResumed.newBuilder().setContainerId(id).build());
        });
    }

    public List<PidInfo> pids(String requestId) {
        checkId(requestId);
        return locked(() -> {
            requireInit();
            Map<Integer, String> execPids = new LinkedHashMap<>();
            for (ShimProcess exec : execs.values()) {
                if (exec.pid() > 0) {
                    execPids.put(exec.pid(), exec.execId);
                }
            }
            return runtime.ps(id).stream().map(pid -> new PidInfo(pid, execPids.getOrDefault(pid, ""))).toList();
        });
    }

    public void closeIo(String requestId, String execId, boolean stdin) {
        checkId(requestId);
        locked(() -> {
            ProcessIo io = process(execId).io();
            if (stdin && io != null) {
                io.closeStdin();
            }
        });
    }

    public void resizePty(String requestId, String execId, int width, int height) {
        checkId(requestId);
        locked(() -> {
            ShimProcess process = process(execId);
            ProcessIo io = process.io();
            if (io == null || !process.stdio.terminal()) {
                throw JcdException.failedPrecondition("process %s of task %s has no terminal: create it with terminal=true to resize it",
                        name(execId), id);
            }
            io.resize(width, height);
        });
    }

    /** Applies OCI LinuxResources JSON to the running container. */
    public void update(String requestId, String resourcesJson) {
        checkId(requestId);
        locked(() -> {
            requireInit();
            Path file = bundle.resolve("update-resources.json");
            try {
                FileModes.writePrivate(file, resourcesJson);
                runtime.update(id, file);
            } catch (IOException e) {
                throw JcdException.failedPrecondition("cannot write %s: %s", file, e.getMessage());
            } finally {
                deleteQuietly(file);
            }
        });
    }

    /** The runtime's statistics JSON ({@code events --stats}). */
    public String stats(String requestId) {
        checkId(requestId);
        return locked(() -> {
            requireRunning();
            return runtime.stats(id);
        });
    }

    /** True when nothing is left to supervise: never created, deleted, or every process stopped. */
    public boolean idle() {
        return locked(() -> {
            if (init == null || deleted) {
                return true;
            }
            return init.status() == ProcessStatus.STOPPED
                    && execs.values().stream().allMatch(p -> !p.started() || p.status() == ProcessStatus.STOPPED);
        });
    }

    /** The init's pid, 0 before Create. */
    public int initPid() {
        return locked(() -> {
            return init == null ? 0 : init.pid();
        });
    }

    private void watch(ShimProcess process, int pid, long mark) {
        reaper.exitOf(pid, mark).thenAcceptAsync(exit -> exited(process, exit), exitHandlers);
    }

    /** Runs once per process exit: flush stdio, record, wake waiters, tell the supervisor. */
    private void exited(ShimProcess process, ExitStatus exit) {
        try {
            ProcessIo io = process.io();
            if (io != null) {
                io.close(DRAIN);
            }
            process.stopped(exit);
            if (process.isInit()) {
                ExitStatusFile.write(bundle, exit);
            }
        } catch (RuntimeException e) {
            System.err.println("jcontainerd-shim: handling the exit of " + name(process.execId) + ": " + e.getMessage());
        } finally {
            process.exited.complete(exit);
        }
        TaskExit.Builder event = TaskExit.newBuilder()
                .setContainerId(id)
                .setId(process.isInit() ? id : process.execId)
                .setPid(exit.pid())
                .setExitStatus(exit.status());
        Timestamps.setIfKnown(exit.exitedAt(), event::setExitedAt);
        // A Start still in progress publishes its start event first.
        eventLock.lock();
        try {
            events.publish("/tasks/exit", event.build());
        } finally {
            eventLock.unlock();
            process.exitPublished.complete(null);
        }
    }

    private ExitStatus published(ShimProcess process, ExitStatus exit, String processId) {
        if (process.started() || process.isInit()) {
            try {
                process.exitPublished.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // Publish the delete anyway; the exit event is late, not lost.
            }
        }
        TaskDelete.Builder event = TaskDelete.newBuilder()
                .setContainerId(id)
                .setId(processId)
                .setPid(exit.pid())
                .setExitStatus(exit.status());
        Timestamps.setIfKnown(exit.exitedAt(), event::setExitedAt);
        events.publish("/tasks/delete", event.build());
        return exit;
    }

    private <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    private ShimProcess process(String execId) {
        ShimProcess initProcess = requireInit();
        if (execId == null || execId.isEmpty()) {
            return initProcess;
        }
        ShimProcess exec = execs.get(execId);
        if (exec == null) {
            throw JcdException.notFound("exec %s not found in task %s", execId, id);
        }
        return exec;
    }

    private ShimProcess requireInit() {
        if (init == null) {
            throw JcdException.notFound("task %s not found in namespace %s: create it first", id, namespace);
        }
        if (deleted) {
            throw JcdException.notFound("task %s in namespace %s was deleted", id, namespace);
        }
        return init;
    }

    private ShimProcess requireRunning() {
        ShimProcess process = requireInit();
        if (process.status() != ProcessStatus.RUNNING) {
            throw JcdException.failedPrecondition("task %s is %s, not running", id, process.status().name().toLowerCase());
        }
        return process;
    }

    private void checkId(String requestId) {
        if (!id.equals(requestId)) {
            throw JcdException.notFound("task %s not found: this shim runs task %s in namespace %s", requestId, id, namespace);
        }
    }

    private String name(String execId) {
        return execId == null || execId.isEmpty() ? "init" : "exec " + execId;
    }

    private static int readPid(Path pidFile) {
        try {
            return Integer.parseInt(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            throw JcdException.failedPrecondition("the OCI runtime wrote no usable pid file %s: %s", pidFile, e.getMessage());
        }
    }

    private static ExitStatus awaitQuietly(ShimProcess process, Duration timeout) {
        try {
            return process.exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Left in the bundle, which the supervisor removes with the task.
        }
    }

    private static void bestEffort(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException ignored) {
            // Cleanup after a failure: the first error is the one reported.
        }
    }
}
