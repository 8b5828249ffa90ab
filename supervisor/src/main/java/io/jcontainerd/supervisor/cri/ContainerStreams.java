package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.PortForwardRequest;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.tasks.Exit;
import io.jcontainerd.supervisor.tasks.ProcessState;
import io.jcontainerd.supervisor.tasks.TaskManager;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * What the streaming server's connections do: an exec through the daemon's task exec path (as
 * ExecSync) with the client's stdin, output, terminal and resizes; an attach to a running
 * container's stdio; a port-forward dialled inside the pod's network namespace. Each ends with the
 * status kubelet's server writes on channel 3 (a metav1.Status: Success, or Failure with reason
 * NonZeroExitCode and the exit code as the cause's message).
 */
public final class ContainerStreams implements StreamServer.Handlers {
    private static final Logger LOG = Logger.getLogger(ContainerStreams.class.getName());
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    private final CriRecords records;
    private final TaskManager tasks;
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final Path ioDir;
    private final Map<String, ContainerStdin> stdins = new ConcurrentHashMap<>();

    public ContainerStreams(CriRecords records, TaskManager tasks, PodSandboxes sandboxes, PodContainers containers, Path ioDir) {
        this.records = records;
        this.tasks = tasks;
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.ioDir = ioDir;
    }

    /** The checks the Exec call makes before it answers a URL (kubelet's, and the container's state). */
    public void checkExec(ExecRequest r) {
        if (r.getCmdCount() == 0) {
            throw JcdException.invalidArgument("Exec of container %s: no command given", r.getContainerId());
        }
        checkStreams(r.getContainerId(), r.getTty(), r.getStdin(), r.getStdout(), r.getStderr());
        requireRunning(r.getContainerId(), "Exec");
    }

    public void checkAttach(AttachRequest r) {
        checkStreams(r.getContainerId(), r.getTty(), r.getStdin(), r.getStdout(), r.getStderr());
        requireRunning(r.getContainerId(), "Attach");
        if (containers.log(r.getContainerId()).isEmpty()) {
            throw JcdException.failedPrecondition("container %s was started before the daemon's last restart: its output is not "
                    + "reattached, so Attach cannot show it (README, CRI)", r.getContainerId());
        }
    }

    public void checkPortForward(PortForwardRequest r) {
        for (int p : r.getPortList()) {
            if (p < 1 || p > 65535) {
                throw JcdException.invalidArgument("PortForward of pod sandbox %s: port %d is not a TCP port (1 to 65535)", r.getPodSandboxId(), p);
            }
        }
        PodSandboxes.View v = sandboxes.view(r.getPodSandboxId());
        if (v.ready() != io.jcontainerd.api.cri.v1.PodSandboxState.SANDBOX_READY) {
            throw JcdException.failedPrecondition("pod sandbox %s is not ready: port-forward needs a running pod", r.getPodSandboxId());
        }
    }

    private static void checkStreams(String id, boolean tty, boolean stdin, boolean stdout, boolean stderr) {
        if (tty && stderr) {
            throw JcdException.invalidArgument("container %s: tty and stderr cannot both be true (a terminal has one output)", id);
        }
        if (!stdin && !stdout && !stderr) {
            throw JcdException.invalidArgument("container %s: one of stdin, stdout or stderr must be set", id);
        }
    }

    private ContainerRecord requireRunning(String id, String call) {
        ContainerRecord r = records.get(id, "container");
        if (!tasks.exists(CriNames.NAMESPACE, id) || tasks.get(CriNames.NAMESPACE, id, "").status() != ProcessState.Status.RUNNING) {
            throw JcdException.failedPrecondition("container %s is not running: start it before %s", id, call);
        }
        return r;
    }

    @Override
    public void exec(ExecRequest req, ChannelConnection c) {
        String id = req.getContainerId();
        ContainerRecord r;
        try {
            r = requireRunning(id, "Exec");
        } catch (JcdException e) {
            sendStatus(c, StreamStatus.failure(e.getMessage()));
            return;
        }
        String execId = "exec-" + CriRecords.newId().substring(0, 24);
        AtomicBoolean exited = new AtomicBoolean();
        try (StreamStdio io = StreamStdio.create(ioDir.resolve(execId), req.getTty(), req.getStdin())) {
            io.start((stream, data, len) -> {
                if (stream == STDOUT ? req.getStdout() : req.getStderr()) {
                    c.send(stream, data, 0, len);
                }
            });
            boolean created = false;
            try {
                tasks.exec(CriNames.NAMESPACE, id, execId, req.getTty(), io.stdinPath(), io.stdoutPath(), io.stderrPath(),
                        new Opaque(TypeUrls.OCI_PROCESS, processSpec(r, req.getCmdList(), req.getTty())));
                created = true;
                tasks.start(CriNames.NAMESPACE, id, execId);
            } catch (JcdException e) {
                if (created) {
                    deleteProcess(id, execId);
                }
                sendStatus(c, StreamStatus.failure("exec of " + req.getCmdList() + " in container " + id + " failed: " + e.getMessage()));
                return;
            }
            io.release();
            InboundPipe stdin = !req.getStdin() ? null : new InboundPipe("cri-exec-stdin", c, new InboundPipe.Sink() {
                @Override
                public void write(byte[] data) throws IOException {
                    io.writeStdin(data);
                }

                @Override
                public void end() {
                    io.closeStdin();
                    try {
                        tasks.closeStdin(CriNames.NAMESPACE, id, execId);
                    } catch (JcdException e) {
                        // the process has gone already
                    }
                }
            });
            c.start(new ChannelConnection.Listener() {
                @Override
                public void data(int channel, byte[] data) {
                    if (channel == STDIN && stdin != null) {
                        stdin.offer(data);
                    } else if (channel == RESIZE && req.getTty()) {
                        // in order with stdin: a size sent before some input applies before that input is read
                        TerminalSize.parse(data).ifPresent(s -> inOrder(stdin, () -> resize(id, execId, s)));
                    }
                }

                @Override
                public void streamClosed(int channel) {
                    if (channel == STDIN && stdin != null) {
                        stdin.end();
                    }
                }

                @Override
                public void closed() {
                    if (stdin != null) {
                        stdin.end();
                    }
                    if (!exited.get()) {
                        // the client went away: the exec ends with it, as containerd's does
                        Thread.ofVirtual().start(() -> kill(id, execId));
                    }
                }
            });
            Exit exit = tasks.waitFor(CriNames.NAMESPACE, id, execId);
            exited.set(true);
            io.awaitEnd(Duration.ofSeconds(10));
            deleteProcess(id, execId);
            sendStatus(c, exit.status() == 0 ? StreamStatus.success() : StreamStatus.exitCode(exit.status()));
        }
    }

    private static void inOrder(InboundPipe stdin, Runnable action) {
        if (stdin != null) {
            stdin.offerAction(action);
        } else {
            Thread.ofVirtual().start(action);
        }
    }

    private void resize(String id, String execId, TerminalSize s) {
        try {
            tasks.resizePty(CriNames.NAMESPACE, id, execId, s.width(), s.height());
        } catch (JcdException e) {
            LOG.fine(() -> "resize of " + execId + " in " + id + ": " + e.getMessage());
        }
    }

    private void kill(String id, String execId) {
        try {
            tasks.kill(CriNames.NAMESPACE, id, execId, PodSandboxes.SIGKILL, false);
        } catch (JcdException e) {
            // it ended on its own
        }
    }

    private void deleteProcess(String id, String execId) {
        try {
            tasks.deleteProcess(CriNames.NAMESPACE, id, execId);
        } catch (JcdException e) {
            LOG.fine(() -> "exec " + execId + " of container " + id + ": delete: " + e.getMessage());
        }
    }

    private static void sendStatus(ChannelConnection c, String json) {
        try {
            c.send(ERROR, json);
        } catch (IOException e) {
            // the client is gone: nobody to tell
        }
    }

    /** The container's process with {@code cmd} as its args, a terminal if asked (TERM=xterm unless the container sets TERM). */
    private static byte[] processSpec(ContainerRecord r, List<String> cmd, boolean tty) {
        byte[] base = PodSpecs.execProcess(r.spec().value(), cmd);
        if (!tty) {
            return base;
        }
        try {
            ObjectNode p = (ObjectNode) PodSpecs.JSON.readTree(base);
            p.put("terminal", true);
            ArrayNode env = p.withArray("env");
            boolean hasTerm = false;
            for (JsonNode e : env) {
                hasTerm |= e.asText().startsWith("TERM=");
            }
            if (!hasTerm) {
                env.add("TERM=xterm");
            }
            return PodSpecs.JSON.writeValueAsBytes(p);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("the container's process spec is not JSON: %s", e.getMessage());
        }
    }

    @Override
    public void attach(AttachRequest req, ChannelConnection c) {
        String id = req.getContainerId();
        ContainerRecord r;
        try {
            r = requireRunning(id, "Attach");
        } catch (JcdException e) {
            sendStatus(c, StreamStatus.failure(e.getMessage()));
            return;
        }
        ContainerLog log = containers.log(id).orElse(null);
        if (log == null) {
            sendStatus(c, StreamStatus.failure("container " + id + ": its output is not reattached since the daemon's restart"));
            return;
        }
        var config = CriRecords.config(r, io.jcontainerd.api.cri.v1.ContainerConfig.parser());
        ContainerStdin stdin = req.getStdin() && config.getStdin()
                ? stdins.computeIfAbsent(id, k -> new ContainerStdin(ioDir.resolve(id).resolve("stdin"))) : null;
        ContainerLog.Tap tap = (stream, data, len) -> {
            if (stream == STDOUT ? req.getStdout() : req.getStderr()) {
                c.send(stream, data, 0, len);
            }
        };
        InboundPipe in = stdin == null ? null : new InboundPipe("cri-attach-stdin", c, new InboundPipe.Sink() {
            @Override
            public void write(byte[] data) throws IOException {
                stdin.write(data);
            }

            @Override
            public void end() {
                if (config.getStdinOnce()) {
                    closeContainerStdin(id, stdin);
                }
            }
        });
        log.tap(tap);
        try {
            c.start(new ChannelConnection.Listener() {
                @Override
                public void data(int channel, byte[] data) {
                    if (channel == STDIN && in != null) {
                        in.offer(data);
                    } else if (channel == RESIZE && config.getTty()) {
                        TerminalSize.parse(data).ifPresent(s -> inOrder(in, () -> resize(id, "", s)));
                    }
                }

                @Override
                public void streamClosed(int channel) {
                    if (channel == STDIN && in != null) {
                        in.end();
                    }
                }

                @Override
                public void closed() {
                    if (in != null) {
                        in.end();
                    }
                }
            });
            while (!c.awaitClosed(200) && !log.ended()) {
                // until the client detaches or the container's output ends with it
            }
            if (log.ended()) {
                stdins.remove(id);
                sendStatus(c, StreamStatus.success());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            log.untap(tap);
            if (in != null) {
                in.end();
            }
        }
    }

    private void closeContainerStdin(String id, ContainerStdin stdin) {
        stdin.close();
        try {
            tasks.closeStdin(CriNames.NAMESPACE, id, "");
        } catch (JcdException e) {
            // the container has exited
        }
    }

    @Override
    public void portForward(PortForwardRequest req, List<Integer> queryPorts, ChannelConnection c) {
        List<Integer> ports = req.getPortCount() > 0 ? req.getPortList() : queryPorts;
        PodSandboxes.View v;
        try {
            v = sandboxes.view(req.getPodSandboxId());
        } catch (JcdException e) {
            return; // removed since the call: the connection just closes
        }
        Path netns = v.hostNetwork() ? null : Path.of(v.netnsPath());
        if (c instanceof SpdyPortForward spdy) {
            try {
                spdy.run(netns, req.getPodSandboxId());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            new PodPortForward(c, netns, req.getPodSandboxId()).run(ports);
        } catch (IOException e) {
            LOG.fine(() -> "port-forward to pod " + req.getPodSandboxId() + " ended: " + e.getMessage());
        }
    }
}
