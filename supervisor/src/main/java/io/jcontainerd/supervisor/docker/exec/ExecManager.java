package io.jcontainerd.supervisor.docker.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.tasks.v1.CloseIORequest;
import io.jcontainerd.api.services.tasks.v1.DeleteProcessRequest;
import io.jcontainerd.api.services.tasks.v1.ExecProcessRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.RawStream;
import io.jcontainerd.supervisor.docker.http.StreamFrames;
import io.jcontainerd.supervisor.docker.containers.ConsoleSize;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.DockerSpec;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.containers.OutputSink;
import io.jcontainerd.supervisor.docker.containers.ProcessStdio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * {@code docker exec}: a process added to a running container's task through the Tasks
 * service (its spec from the container's, with the exec's command, env, user, cwd and TTY),
 * its output streamed to the hijacked connection, its exit code kept for inspect.
 */
public final class ExecManager {
    private static final Logger LOG = Logger.getLogger(ExecManager.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ContainerManager containers;
    private final Containerd cd;
    private final Map<String, ExecSession> sessions = new ConcurrentHashMap<>();
    static final Duration RESIZE_WAIT = Duration.ofSeconds(10);

    public ExecManager(ContainerManager containers) {
        this.containers = containers;
        this.cd = containers.containerd();
    }

    public String create(LiveContainer c, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw DockerApiException.badRequest("the exec body must be a JSON object with Cmd");
        }
        if (!c.running()) {
            throw DockerApiException.conflict("Container %s is not running", c.id());
        }
        if (c.doc().state().paused()) {
            throw DockerApiException.conflict("Container %s is paused, unpause the container before exec", c.id());
        }
        List<String> cmd = strings(body.path("Cmd"));
        if (cmd.isEmpty()) {
            throw DockerApiException.badRequest("No exec command specified");
        }
        ConsoleSize size = ConsoleSize.parse("ConsoleSize", body.get("ConsoleSize")).orElse(null);
        String id = HexFormat.of().formatHex(randomBytes());
        sessions.keySet().removeIf(k -> containers.find(sessions.get(k).containerId).isEmpty());
        sessions.put(id, new ExecSession(id, c.id(), cmd, body.path("Tty").asBoolean(false), body.path("AttachStdin").asBoolean(false),
                body.path("AttachStdout").asBoolean(false), body.path("AttachStderr").asBoolean(false), strings(body.path("Env")),
                body.path("User").asText(""), body.path("WorkingDir").asText(""), body.path("Privileged").asBoolean(false)));
        sessions.get(id).consoleSize = size;
        containers.emit(c, "exec_create: " + eventCommand(cmd), Map.of("execID", id));
        return id;
    }

    /** The command as dockerd 20.10 names it in exec events: entrypoint, a space, the arguments ("ls " for a bare ls). */
    static String eventCommand(List<String> cmd) {
        return cmd.getFirst() + " " + String.join(" ", cmd.subList(1, cmd.size()));
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    ExecSession lookup(String id) {
        ExecSession e = sessions.get(id);
        if (e == null) {
            throw DockerApiException.notFound("No such exec instance: %s", id);
        }
        return e;
    }

    public List<String> idsOf(String containerId) {
        return sessions.values().stream().filter(e -> e.containerId.equals(containerId)).map(e -> e.id).toList();
    }

    /**
     * Starts the process. Attached: {@code stream} gets its output and gives its stdin, and is
     * closed when it ends; detached ({@code stream} null): it runs on its own.
     */
    void start(ExecSession e, RawStream stream) {
        LiveContainer c = containers.lookup(e.containerId);
        Duration drain = Duration.ofSeconds(5);
        ProcessStdio io;
        try {
            io = launch(c, e, new OutputSink() {
                @Override
                public void output(int st, byte[] data) {
                    if (stream != null && (e.tty || (st == StreamFrames.STDOUT && e.stdout) || (st == StreamFrames.STDERR && e.stderr))) {
                        stream.write(StreamFrames.encode(e.tty, st, data));
                    }
                }

                @Override
                public void end() {
                }
            }, e.stdin && stream != null);
        } catch (LaunchFailed x) {
            e.exitCode = x.exitCode;
            e.started = true;
            e.launched.countDown();
            if (stream != null) {
                stream.write(StreamFrames.encode(e.tty, StreamFrames.STDERR,
                        ("OCI runtime exec failed: " + x.getMessage() + "\n").getBytes(StandardCharsets.UTF_8)));
                stream.close();
                return;
            }
            throw DockerApiException.internal("OCI runtime exec failed: %s", x.getMessage());
        }
        e.started = true;
        e.running = true;
        e.launched.countDown();
        containers.emit(c, "exec_start: " + eventCommand(e.cmd), Map.of("execID", e.id));
        if (stream != null && e.stdin) {
            Thread.ofVirtual().name("exec-stdin").start(() -> copyStdin(c.id(), e.id, stream.input(), io));
        }
        Runnable waiter = () -> {
            int code;
            try {
                code = cd.tasks().wait(WaitRequest.newBuilder().setContainerId(c.id()).setExecId(e.id).build()).getExitStatus();
            } catch (StatusRuntimeException x) {
                code = 255;
            }
            if (!io.awaitEnd(drain)) {
                LOG.fine(() -> "exec " + e.id + " output did not end within " + drain);
            }
            deleteProcess(c.id(), e.id);
            io.close();
            e.exitCode = code;
            e.running = false;
            containers.emit(c, "exec_die", Map.of("execID", e.id, "exitCode", Integer.toString(code)));
            if (stream != null) {
                stream.close();
            }
        };
        if (stream != null) {
            waiter.run();
        } else {
            Thread.ofVirtual().name("exec-wait").start(waiter);
        }
    }

    /** An exec that could not be started, with the exit code docker gives it (127 not found, 126 otherwise). */
    private static final class LaunchFailed extends Exception {
        final int exitCode;

        LaunchFailed(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Creates and starts the exec's process with its output going to {@code sink}. */
    private ProcessStdio launch(LiveContainer c, ExecSession e, OutputSink sink, boolean stdin) throws LaunchFailed {
        ProcessStdio io = ProcessStdio.create(containers.fifoDir().resolve(c.id()).resolve("exec-" + e.id.substring(0, 16)),
                e.tty, stdin);
        io.start(sink, true);
        try {
            cd.tasks().exec(ExecProcessRequest.newBuilder().setContainerId(c.id()).setExecId(e.id)
                    .setStdin(io.stdinPath()).setStdout(io.stdoutPath()).setStderr(io.stderrPath()).setTerminal(e.tty)
                    .setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS, JSON.writeValueAsString(processSpec(c, e)))).build());
            e.pid = cd.tasks().start(StartRequest.newBuilder().setContainerId(c.id()).setExecId(e.id).build()).getPid();
            io.release(); // the shim holds its ends once the process started
            return io;
        } catch (RuntimeException | IOException x) {
            io.close();
            deleteProcess(c.id(), e.id);
            String msg = x instanceof StatusRuntimeException s ? s.getStatus().getDescription() : x.getMessage();
            throw new LaunchFailed(String.valueOf(msg), msg != null && (msg.contains("not found") || msg.contains("No such file")) ? 127 : 126);
        }
    }

    /** What a probe ({@link #probe}) gave: the exit code (-1: it could not run or ran out of time) and its output. */
    public record ProbeResult(int exitCode, String output) {
    }

    /**
     * Runs {@code argv} in the running container {@code c} as a health probe does: an exec
     * through the same path as {@code docker exec}, not listed in the container's ExecIDs, its
     * stdout and stderr together up to {@code maxOutput} bytes, SIGKILLed after {@code timeout}.
     */
    public ProbeResult probe(LiveContainer c, List<String> argv, Duration timeout, int maxOutput) {
        ExecSession e = new ExecSession(HexFormat.of().formatHex(randomBytes()), c.id(), argv, false, false, true, true,
                List.of(), "", "", false);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ProcessStdio stdio;
        try {
            stdio = launch(c, e, new OutputSink() {
                @Override
                public void output(int st, byte[] data) {
                    synchronized (out) {
                        out.write(data, 0, Math.min(data.length, Math.max(0, maxOutput - out.size())));
                    }
                }

                @Override
                public void end() {
                }
            }, false);
        } catch (LaunchFailed x) {
            return new ProbeResult(-1, "OCI runtime exec failed: " + x.getMessage());
        }
        WaitRequest wait = WaitRequest.newBuilder().setContainerId(c.id()).setExecId(e.id).build();
        int code;
        boolean timedOut = false;
        try {
            code = cd.tasks().withDeadlineAfter(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).wait(wait).getExitStatus();
        } catch (StatusRuntimeException x) {
            code = -1;
            if (x.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                timedOut = true;
                try {
                    cd.tasks().kill(KillRequest.newBuilder().setContainerId(c.id())
                            .setExecId(e.id).setSignal(9).build());
                    cd.tasks().withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).wait(wait);
                } catch (StatusRuntimeException gone) {
                    // it ended, or its task did
                }
            }
        }
        stdio.awaitEnd(Duration.ofSeconds(2));
        deleteProcess(c.id(), e.id);
        stdio.close();
        if (timedOut) {
            return new ProbeResult(-1, "Health check exceeded timeout (" + human(timeout) + ")");
        }
        synchronized (out) {
            return new ProbeResult(code, out.toString(StandardCharsets.UTF_8));
        }
    }

    /** A duration as Go prints it: 30s, 1.5s, 500ms. */
    static String human(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }

    private void copyStdin(String containerId, String execId, InputStream in, ProcessStdio io) {
        byte[] buf = new byte[32 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                io.writeStdin(buf, 0, n);
            }
        } catch (IOException x) {
            // the client or the process went away
        }
        io.closeStdin();
        try {
            cd.tasks().closeIO(CloseIORequest.newBuilder().setContainerId(containerId).setExecId(execId).setStdin(true).build());
        } catch (RuntimeException x) {
            // the process has gone already
        }
    }

    private void deleteProcess(String containerId, String execId) {
        try {
            cd.tasks().deleteProcess(DeleteProcessRequest.newBuilder().setContainerId(containerId).setExecId(execId).build());
        } catch (StatusRuntimeException x) {
            // never created, or gone with its task
        }
    }

    private ObjectNode processSpec(LiveContainer c, ExecSession e) {
        JsonNode spec = containers.spec(c);
        ObjectNode p = spec.path("process").isObject() ? (ObjectNode) spec.path("process").deepCopy() : JSON.createObjectNode();
        p.put("terminal", e.tty);
        ArrayNode args = p.putArray("args");
        e.cmd.forEach(args::add);
        Map<String, String> env = new LinkedHashMap<>();
        p.path("env").forEach(v -> env.put(v.asText().split("=", 2)[0], v.asText()));
        e.env.forEach(v -> env.put(v.split("=", 2)[0], v));
        if (e.tty && !env.containsKey("TERM")) {
            env.put("TERM", "TERM=xterm");
        }
        ArrayNode envOut = p.putArray("env");
        env.values().forEach(envOut::add);
        if (!e.workingDir.isEmpty()) {
            p.put("cwd", e.workingDir);
        }
        if (!e.user.isEmpty()) {
            RootfsUsers.Resolved u = DockerSpec.user(containers.rootfs(c), e.user, List.of());
            ObjectNode user = p.putObject("user").put("uid", u.uid()).put("gid", u.gid());
            ArrayNode g = user.putArray("additionalGids");
            u.additionalGids().forEach(g::add);
        }
        if (e.privileged) {
            ObjectNode caps = p.putObject("capabilities");
            for (String set : List.of("bounding", "effective", "permitted")) {
                ArrayNode a = caps.putArray(set);
                DockerSpec.ALL_CAPS.forEach(a::add);
            }
        }
        // dockerd: the container's process.consoleSize unless the exec (create or start) gave one
        if (e.consoleSize != null) {
            e.consoleSize.applyTo(p);
        }
        return p;
    }

    /**
     * Resizes the exec's pty. A resize that comes before the exec's start has launched it waits for that
     * (up to {@code RESIZE_WAIT}, dockerd's 10 s): the docker CLI sends it right after the hijacked start
     * request, which may not have reached us yet, and gives up after 10 tries within 550 ms.
     */
    void resize(ExecSession e, int height, int width) {
        try {
            if (!e.launched.await(RESIZE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw DockerApiException.conflict("exec %s did not start within %s: start it before resizing it", e.id, human(RESIZE_WAIT));
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw DockerApiException.conflict("exec %s: interrupted while waiting for it to start", e.id);
        }
        if (!e.running) {
            throw DockerApiException.conflict("exec %s is not running", e.id);
        }
        cd.tasks().resizePty(ResizePtyRequest.newBuilder().setContainerId(e.containerId).setExecId(e.id)
                .setWidth(width).setHeight(height).build());
    }

    static ObjectNode inspect(ExecSession e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("CanRemove", false);
        n.put("ContainerID", e.containerId);
        n.put("DetachKeys", "");
        if (e.exitCode == null) {
            n.putNull("ExitCode");
        } else {
            n.put("ExitCode", e.exitCode);
        }
        n.put("ID", e.id);
        n.put("OpenStderr", e.stderr);
        n.put("OpenStdin", e.stdin);
        n.put("OpenStdout", e.stdout);
        ObjectNode pc = n.putObject("ProcessConfig");
        pc.put("entrypoint", e.cmd.getFirst());
        ArrayNode a = pc.putArray("arguments");
        e.cmd.subList(1, e.cmd.size()).forEach(a::add);
        pc.put("privileged", e.privileged).put("tty", e.tty).put("user", e.user);
        n.put("Running", e.running);
        n.put("Pid", e.pid);
        return n;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null && a.isArray()) {
            a.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
