package io.jcontainerd.supervisor.docker.containers;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.PauseTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.ResumeTaskRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A container's runs: start (network, FIFOs, task, exit watcher), the exit (output read to its
 * end, task deleted, state kept, waiters told, a restart or auto-remove), stop, kill, pause,
 * restart and resize.
 */
final class ContainerRuns {
    private static final Logger LOG = Logger.getLogger(ContainerRuns.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerManager manager;
    private final Containerd cd;
    private final Path fifoDir;
    private final Networking networking;
    private final ContainerNetworks networks;
    private final ContainerListeners listeners;
    private final ContainerDocuments documents;
    private final Restarts restarts;

    ContainerRuns(ContainerManager manager, Containerd cd, Path fifoDir, Networking networking, ContainerNetworks networks,
                  ContainerListeners listeners, ContainerDocuments documents, Restarts restarts) {
        this.manager = manager;
        this.cd = cd;
        this.fifoDir = fifoDir;
        this.networking = networking;
        this.networks = networks;
        this.listeners = listeners;
        this.documents = documents;
        this.restarts = restarts;
    }

    /** A client's start: a pending restart is cancelled, RestartCount starts again at 0. */
    void start(LiveContainer c) {
        synchronized (c) {
            requireStartable(c);
            restarts.cancel(c);
            c.doc(c.doc().withRestarts(0, false));
            startRun(c);
        }
    }

    /** Starts a run of {@code c}: FIFOs, task, exit watcher; health back to starting. */
    void startRun(LiveContainer c) {
        synchronized (c) {
            requireStartable(c);
            ContainerDocument d = c.doc();
            Sandbox sandbox;
            try {
                sandbox = networking.setUp(d.id(), d.name(), networks.runMode(d), d.config(), d.hostConfig(), d.attachedNetworks());
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
                networks.tearDown(d.id());
                throw e;
            }
            long pid;
            try {
                List<Mount> rootfs = documents.rootfs(c);
                c.taskDeleted = false;
                cd.tasks().create(CreateTaskRequest.newBuilder().setContainerId(d.id()).addAllRootfs(rootfs)
                        .setStdin(io.stdinPath()).setStdout(io.stdoutPath()).setStderr(io.stderrPath()).setTerminal(d.tty()).build());
                pid = cd.tasks().start(StartRequest.newBuilder().setContainerId(d.id()).build()).getPid();
                io.release(); // the shim holds its ends once the process started
            } catch (RuntimeException e) {
                c.taskDeleted = deleteTask(d.id());
                io.close();
                networks.tearDown(d.id());
                throw failedStart(c, e instanceof StatusRuntimeException s ? s.getStatus().getDescription() : e.getMessage());
            }
            c.stdio = io;
            c.notifyAll();
            c.stopping = false;
            c.doc(d.withState(d.state().started(pid, Instant.now().toString())).withStdioDir(dir.toString())
                    .withHealth(HealthCheck.of(d.config()).isEmpty() ? d.health()
                            : d.health() != null ? d.health().restarted() : new Health(Health.STARTING, 0, List.of())));
            documents.persist(c);
            watchExit(c);
        }
        listeners.emitNetworks(c, "connect", listeners.attachedNow(c));
        listeners.emit(c, "start", Map.of());
    }

    /** 409 for a container being removed, 304 for one that runs (as dockerd answers a second start). */
    private static void requireStartable(LiveContainer c) {
        if (c.removing) {
            throw DockerApiException.conflict("container %s is marked for removal and cannot be started", c.id());
        }
        if (c.running()) {
            throw DockerApiException.notModified();
        }
    }

    /**
     * A start that failed: as dockerd, the container keeps its "created" state with the error and
     * exit code 127 (command not found), 126 (not executable) or 128; attached clients are let go,
     * waiters told, an auto-remove container removed; the client gets the error.
     */
    private DockerApiException failedStart(LiveContainer c, String message) {
        String m = message == null ? "unknown error" : message;
        String lower = m.toLowerCase(Locale.ROOT);
        int code = lower.contains("no such file") || lower.contains("not found") ? 127 : lower.contains("permission denied") ? 126 : 128;
        c.log.flush();
        for (OutputSink s : c.attached) {
            s.end();
        }
        ContainerDocument d = c.doc();
        ContainerState st = d.state();
        c.doc(d.withState(new ContainerState(st.status(), false, false, false, false, false, 0, code, m, st.startedAt(), st.finishedAt())));
        documents.persist(c);
        var f = c.nextExit;
        c.nextExit = new CompletableFuture<>();
        f.complete(code);
        if (d.autoRemove()) {
            Thread.ofVirtual().start(() -> manager.remove(c, true, true));
        }
        return DockerApiException.internal("failed to create task for container: %s", m);
    }

    /** Where a run's output goes: the container's log, and every client attached. */
    OutputSink sinkOf(LiveContainer c) {
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

    /** Waits for the run's task to exit (a virtual thread) and then ends the run. */
    void watchExit(LiveContainer c) {
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
        CompletableFuture<List<Networking.Attached>> network = CompletableFuture.supplyAsync(() -> {
            synchronized (c) { // no network connect of it meanwhile
                List<Networking.Attached> attached = listeners.attachedNow(c);
                networks.tearDown(c.id());
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
        listeners.emit(c, "die", Map.of("exitCode", Integer.toString(status)));
        listeners.emitNetworks(c, "disconnect", left);
        waiters.complete(status);
        Duration ranFor = Duration.between(parseTime(startedAt), at);
        if (!c.doc().autoRemove() && restarts.afterExit(c, status, ranFor)) {
            return;
        }
        if (c.doc().autoRemove()) {
            try {
                manager.remove(c, true, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-removing container " + c.id() + " failed", e);
            }
        }
    }

    /** Records the run's end in the document; returns the future of those who waited for it (not completed yet). */
    CompletableFuture<Integer> finishRun(LiveContainer c, int status, Instant at, String error) {
        synchronized (c) {
            c.stdio = null;
            ContainerDocument d = c.doc();
            c.doc(d.withState(d.state().exited(status, at.toString(), error)).withStdioDir(""));
            documents.persist(c);
            var f = c.nextExit;
            c.nextExit = new CompletableFuture<>();
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
    boolean deleteTask(String id) {
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

    /** Stops a running container: its stop signal, then SIGKILL after {@code timeout} seconds (null: its StopTimeout or 10). */
    void stop(LiveContainer c, Integer timeout) {
        if (c.doc().state().restarting()) {
            markStopped(c);
            restarts.cancel(c);
            listeners.emit(c, "stop", Map.of());
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
        listeners.emit(c, "kill", Map.of("signal", Integer.toString(stopSignal)));
        if (t >= 0 && awaitQuietly(exit, t)) {
            listeners.emit(c, "stop", Map.of());
            return;
        }
        signal(c, 9);
        listeners.emit(c, "kill", Map.of("signal", "9"));
        if (!awaitQuietly(exit, 30)) {
            throw DockerApiException.internal("container %s did not exit within 30 s of SIGKILL", c.id());
        }
        listeners.emit(c, "stop", Map.of());
    }

    /** A client stopped or killed it: no restart policy brings it back (unless-stopped not even at daemon start). */
    private void markStopped(LiveContainer c) {
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!d.manuallyStopped() && !d.restartPolicy().none()) {
                c.doc(d.withRestarts(d.restartCount(), true));
                documents.persist(c);
            }
        }
    }

    void kill(LiveContainer c, String signal) {
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
        listeners.emit(c, "kill", Map.of("signal", Integer.toString(sig)));
    }

    /** Sends {@code sig} to the run's process; a task gone meanwhile is no error. */
    void signal(LiveContainer c, int sig) {
        try {
            cd.tasks().kill(KillRequest.newBuilder().setContainerId(c.id()).setSignal(sig).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** True if the exit came within {@code seconds} (or failed: it is over either way). */
    static boolean awaitQuietly(CompletableFuture<Integer> f, long seconds) {
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

    void restart(LiveContainer c, Integer timeout) {
        if (c.running() || c.doc().state().restarting()) {
            stop(c, timeout);
        }
        start(c);
        listeners.emit(c, "restart", Map.of());
    }

    void pause(LiveContainer c) {
        synchronized (c) {
            if (!c.running()) {
                throw DockerApiException.conflict("Container %s is not running", c.id());
            }
            if (c.doc().state().paused()) {
                throw DockerApiException.conflict("Container %s is already paused", c.id());
            }
            cd.tasks().pause(PauseTaskRequest.newBuilder().setContainerId(c.id()).build());
            c.doc(c.doc().withState(c.doc().state().paused(true)));
            documents.persist(c);
        }
        listeners.emit(c, "pause", Map.of());
    }

    void unpause(LiveContainer c) {
        synchronized (c) {
            if (!c.doc().state().paused()) {
                throw DockerApiException.conflict("Container %s is not paused", c.id());
            }
            resume(c);
        }
        listeners.emit(c, "unpause", Map.of());
    }

    private void resume(LiveContainer c) {
        synchronized (c) {
            cd.tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(c.id()).build());
            c.doc(c.doc().withState(c.doc().state().paused(false)));
            documents.persist(c);
        }
    }

    void resize(LiveContainer c, int height, int width) {
        if (!c.running()) {
            throw DockerApiException.conflict("Container %s is not running", c.id());
        }
        cd.tasks().resizePty(ResizePtyRequest.newBuilder().setContainerId(c.id()).setWidth(width).setHeight(height).build());
    }
}
