package io.jcontainerd.ctr.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.runc.v1.ProcessDetails;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.snapshots.v1.MountsRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteProcessRequest;
import io.jcontainerd.api.services.tasks.v1.ExecProcessRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ListPidsRequest;
import io.jcontainerd.api.services.tasks.v1.ListTasksRequest;
import io.jcontainerd.api.services.tasks.v1.MetricsRequest;
import io.jcontainerd.api.services.tasks.v1.PauseTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ResumeTaskRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.Specs.Sub;
import io.jcontainerd.ctr.output.MessageJson;
import io.jcontainerd.ctr.output.Table;
import io.jcontainerd.ctr.run.AttachedProcess;
import io.jcontainerd.ctr.run.ContainerCreator;
import io.jcontainerd.ctr.run.RootfsMount;
import io.jcontainerd.ctr.run.RunException;
import io.jcontainerd.ctr.run.Signals;
import io.jcontainerd.ctr.run.Stubs;
import io.jcontainerd.ctr.run.TaskLauncher;
import io.jcontainerd.ctr.stdio.FifoSet;
import io.jcontainerd.ctr.stdio.StdioCopier;
import io.jcontainerd.ctr.stdio.Terminal;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.KnownMessages;
import io.jcontainerd.proto.TypeUrls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code jctr tasks ls|start|kill|ps|exec|attach|pause|resume|metrics|rm}, as ctr's. */
public final class TasksCommand {

    private TasksCommand() {
    }

    /** Made when first used: Jackson's set-up is not on the path of ls, kill and rm. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /**
     * The group; {@code named}: the subcommand asked for, the only one made ({@link Specs#group}).
     * Options end at the first positional, as in ctr, so {@code exec ID sh -c ...} passes its arguments through.
     */
    public static CommandLine command(String named) {
        return Specs.group(new TasksCommand(), "tasks", "manage tasks", new String[]{"task", "t"}, named, true,
                List.of(Sub.of(() -> new Ls().spec, "ls", "list"), Sub.of(Start::new, "start"),
                        Sub.of(() -> new Kill().spec, "kill"), Sub.of(Ps::new, "ps"), Sub.of(Exec::new, "exec"),
                        Sub.of(Attach::new, "attach"), Sub.of(Pause::new, "pause"), Sub.of(Resume::new, "resume"),
                        Sub.of(Metrics::new, "metrics", "metric"), Sub.of(() -> new Rm().spec, "delete", "rm", "del", "remove")));
    }

    /** Runs {@code body} on a connection; a {@link RunException} is the one line the user sees. */
    abstract static class TaskCall implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int run(Stubs stubs) throws IOException;

        @Override
        public Integer call() throws IOException {
            try (var conn = Main.of(spec).connect()) {
                return run(Stubs.on(conn));
            } catch (RunException e) {
                spec.commandLine().getErr().println("jctr: " + e.getMessage());
                return 1;
            }
        }

        java.io.PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    static Process get(Stubs stubs, String id, String execId) {
        try {
            return stubs.tasks().get(GetRequest.newBuilder().setContainerId(id).setExecId(execId).build()).getProcess();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RunException("no task " + id + (execId.isEmpty() ? "" : " process " + execId)
                        + ": " + e.getStatus().getDescription() + " (list them with `jctr tasks ls`)");
            }
            throw e;
        }
    }

    /** Model built in code ({@link Specs}): one of the commands users time. */
    static final class Ls extends TaskCall {
        Ls() {
            spec = Specs.command(this, "ls", "list tasks: TASK PID STATUS", "list");
            spec.addOption(Specs.flag("print only the task ids", "-q", "--quiet"));
        }

        @Override
        int run(Stubs stubs) {
            boolean quiet = Specs.isSet(spec, "--quiet");
            var tasks = stubs.tasks().list(ListTasksRequest.getDefaultInstance()).getTasksList();
            if (quiet) {
                tasks.forEach(t -> out().println(t.getId()));
                out().flush();
                return 0;
            }
            Table t = new Table("TASK", "PID", "STATUS");
            tasks.forEach(p -> t.row(p.getId(), Integer.toUnsignedString(p.getPid()), status(p)));
            t.print(out());
            return 0;
        }
    }

    static String status(Process p) {
        return p.getStatus().name().toUpperCase(Locale.ROOT);
    }

    @Command(name = "start", description = "start a container's task: ID")
    static final class Start extends TaskCall {
        @Option(names = {"-d", "--detach"}, description = "leave it running")
        boolean detach;
        @Option(names = "--fifo-dir", description = "directory for the stdio FIFOs")
        Path fifoDir;
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) throws IOException {
            try {
                Process p = stubs.tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
                if (p.getStatus() != io.jcontainerd.api.types.task.Status.CREATED) {
                    throw new RunException("task " + id + " is " + status(p).toLowerCase(Locale.ROOT)
                            + ", not created: remove it with `jctr tasks rm " + id + "` first");
                }
                stubs.tasks().start(StartRequest.newBuilder().setContainerId(id).build());
                return 0;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
            }
            Container c = stubs.containers().get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
            var rootfs = stubs.snapshots().mounts(MountsRequest.newBuilder().setSnapshotter(c.getSnapshotter())
                    .setKey(c.getSnapshotKey()).build()).getMountsList().stream()
                    .map(m -> new RootfsMount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList();
            boolean terminal = Json.MAPPER.readTree(AnyCodec.jsonOf(c.getSpec())).path("process").path("terminal").asBoolean(false);
            var launcher = new TaskLauncher(stubs, fifoDir);
            if (detach) {
                launcher.startDetached(id, rootfs, terminal);
                return 0;
            }
            return launcher.runAttached(id, rootfs, terminal);
        }
    }

    /** Model built in code ({@link Specs}): the way users stop what they ran detached. */
    static final class Kill extends TaskCall {
        Kill() {
            spec = Specs.command(this, "kill", "signal a task: ID (default: the image's stop signal, else SIGTERM)");
            spec.addOption(Specs.option(String.class, "<signal>", "signal name or number", "-s", "--signal"));
            spec.addOption(Specs.flag("signal every process of the task", "-a", "--all"));
            spec.addOption(Specs.defaulted(String.class, "<execId>", "", "signal this exec process", "--exec-id"));
            spec.addPositional(Specs.positional(0, "ID", "container id"));
        }

        @Override
        int run(Stubs stubs) {
            String id = spec.positionalParameters().get(0).getValue();
            String execId = Specs.valueOr(spec, "--exec-id", "");
            boolean all = Specs.isSet(spec, "--all");
            String sig = Specs.value(spec, "--signal");
            if (sig == null) {
                Container c = stubs.containers().get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
                sig = c.getLabelsOrDefault(ContainerCreator.STOP_SIGNAL_LABEL, "SIGTERM");
            }
            int number = Signals.parse(sig);
            get(stubs, id, execId);
            stubs.tasks().kill(KillRequest.newBuilder().setContainerId(id).setExecId(execId).setSignal(number).setAll(all).build());
            return 0;
        }
    }

    @Command(name = "ps", description = "list a task's processes: ID")
    static final class Ps extends TaskCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) {
            var pids = stubs.tasks().listPids(ListPidsRequest.newBuilder().setContainerId(id).build()).getProcessesList();
            Table t = new Table("PID", "INFO");
            for (var p : pids) {
                String info = "-";
                if (p.hasInfo() && AnyCodec.is(p.getInfo(), ProcessDetails.getDefaultInstance())) {
                    String exec = AnyCodec.unpack(p.getInfo(), ProcessDetails.getDefaultInstance()).getExecId();
                    info = exec.isEmpty() ? "-" : exec;
                }
                t.row(Integer.toUnsignedString(p.getPid()), info);
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "exec", description = "run another process in a running task: ID COMMAND [ARG...]")
    static final class Exec extends TaskCall {
        @Option(names = "--exec-id", description = "id of the new process (default: random)")
        String execId;
        @Option(names = {"-t", "--tty"}, description = "give it a terminal")
        boolean tty;
        @Option(names = {"-d", "--detach"}, description = "leave it running")
        boolean detach;
        @Option(names = "--cwd", description = "working directory")
        String cwd;
        @Option(names = "--fifo-dir", description = "directory for the stdio FIFOs")
        Path fifoDir;
        @Parameters(index = "0", paramLabel = "ID")
        String id;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ARGS")
        List<String> args;

        @Override
        int run(Stubs stubs) throws IOException {
            String exec = execId != null ? execId : "exec-" + UUID.randomUUID().toString().substring(0, 8);
            Container c = stubs.containers().get(GetContainerRequest.newBuilder().setId(id).build()).getContainer();
            ObjectNode process = (ObjectNode) Json.MAPPER.readTree(AnyCodec.jsonOf(c.getSpec())).path("process");
            ArrayNode a = process.putArray("args");
            args.forEach(a::add);
            process.put("terminal", tty);
            if (cwd != null) {
                process.put("cwd", cwd);
            }
            FifoSet fifos = FifoSet.create(fifoDir == null ? FifoSet.DEFAULT_DIR : fifoDir, exec, tty);
            try (Terminal term = tty && !detach ? Terminal.raw() : null) {
                StdioCopier copier = detach ? null : StdioCopier.start(fifos, true);
                try {
                    stubs.tasks().exec(ExecProcessRequest.newBuilder().setContainerId(id).setExecId(exec)
                            .setStdin(fifos.stdin().toString()).setStdout(fifos.stdout().toString())
                            .setStderr(fifos.stderrPath()).setTerminal(tty)
                            .setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS, Json.MAPPER.writeValueAsString(process))).build());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
                        throw new RunException("task " + id + " already has a process " + exec + ": choose another --exec-id");
                    }
                    throw e;
                }
                if (detach) {
                    stubs.tasks().start(StartRequest.newBuilder().setContainerId(id).setExecId(exec).build());
                    return 0;
                }
                try {
                    return new AttachedProcess(stubs.connection(), id, exec).startAndWait(copier, tty);
                } finally {
                    stubs.tasks().deleteProcess(DeleteProcessRequest.newBuilder().setContainerId(id).setExecId(exec).build());
                }
            } finally {
                if (!detach) {
                    fifos.delete();
                }
            }
        }
    }

    @Command(name = "attach", description = "attach to a task's stdio and wait for it: ID")
    static final class Attach extends TaskCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) {
            Process p = get(stubs, id, "");
            if (p.getStdout().isEmpty()) {
                throw new RunException("task " + id + " was started without stdio FIFOs: there is nothing to attach to");
            }
            FifoSet fifos = new FifoSet(Path.of(p.getStdout()).getParent(), Path.of(p.getStdin()), Path.of(p.getStdout()),
                    p.getStderr().isEmpty() ? null : Path.of(p.getStderr()));
            try (Terminal term = p.getTerminal() ? Terminal.raw() : null) {
                StdioCopier copier = StdioCopier.start(fifos, !p.getStdin().isEmpty());
                var exit = stubs.tasks().wait(WaitRequest.newBuilder().setContainerId(id).build());
                copier.awaitOutput(2_000);
                return exit.getExitStatus();
            }
        }
    }

    @Command(name = "pause", description = "freeze a task's processes: ID")
    static final class Pause extends TaskCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) {
            stubs.tasks().pause(PauseTaskRequest.newBuilder().setContainerId(id).build());
            return 0;
        }
    }

    @Command(name = "resume", description = "thaw a paused task: ID")
    static final class Resume extends TaskCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) {
            stubs.tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(id).build());
            return 0;
        }
    }

    @Command(name = "metrics", aliases = "metric", description = "a task's cgroup metrics as JSON: ID")
    static final class Metrics extends TaskCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int run(Stubs stubs) throws IOException {
            var r = stubs.tasks().metrics(MetricsRequest.newBuilder().addFilters("id==" + id).build());
            if (r.getMetricsCount() == 0) {
                throw new RunException("no metrics for task " + id + ": is it running? (`jctr tasks ls`)");
            }
            var m = r.getMetrics(0);
            Table t = new Table("ID", "TIMESTAMP");
            t.row(m.getId(), java.time.Instant.ofEpochSecond(m.getTimestamp().getSeconds(), m.getTimestamp().getNanos()).toString());
            t.print(out());
            out().println();
            var decoded = KnownMessages.decode(m.getData());
            out().println(decoded.isPresent()
                    ? MessageJson.pretty(decoded.get())
                    : "(metrics of type " + m.getData().getTypeUrl() + " cannot be decoded)");
            out().flush();
            return 0;
        }
    }

    /** Model built in code ({@link Specs}): the way users clean up. */
    static final class Rm extends TaskCall {
        private boolean force;
        private String execId;

        Rm() {
            spec = Specs.command(this, "delete", "delete stopped tasks: ID... (-f kills first)", "rm", "del", "remove");
            spec.addOption(Specs.flag("kill a running task first", "-f", "--force"));
            spec.addOption(Specs.defaulted(String.class, "<execId>", "", "delete this exec process", "--exec-id"));
            spec.addPositional(Specs.rest(0, true, "ID", "container ids"));
        }

        @Override
        int run(Stubs stubs) {
            force = Specs.isSet(spec, "--force");
            execId = Specs.valueOr(spec, "--exec-id", "");
            List<String> ids = Specs.strings(spec, 0);
            int exit = 0;
            for (String id : ids) {
                try {
                    delete(stubs, id);
                } catch (RunException | StatusRuntimeException e) {
                    spec.commandLine().getErr().println("jctr: " + (e instanceof StatusRuntimeException s
                            ? "failed to delete task " + id + ": " + s.getStatus().getDescription() : e.getMessage()));
                    exit = 1;
                }
            }
            return exit;
        }

        private void delete(Stubs stubs, String id) {
            Process p = get(stubs, id, execId);
            var st = p.getStatus();
            boolean stopped = st == io.jcontainerd.api.types.task.Status.STOPPED
                    || st == io.jcontainerd.api.types.task.Status.CREATED || st == io.jcontainerd.api.types.task.Status.UNKNOWN;
            if (!stopped) {
                if (!force) {
                    throw new RunException("task " + id + " must be stopped before deletion: it is "
                            + status(p).toLowerCase(Locale.ROOT) + " (kill it, or use -f)");
                }
                stubs.tasks().kill(KillRequest.newBuilder().setContainerId(id).setExecId(execId).setSignal(9).setAll(execId.isEmpty()).build());
                stubs.tasks().wait(WaitRequest.newBuilder().setContainerId(id).setExecId(execId).build());
                get(stubs, id, execId); // as ctr's task.Delete: the status is read again before deleting
            }
            if (execId.isEmpty()) {
                stubs.tasks().delete(io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest.newBuilder().setContainerId(id).build());
            } else {
                stubs.tasks().deleteProcess(DeleteProcessRequest.newBuilder().setContainerId(id).setExecId(execId).build());
            }
            FifoSet.deleteFor(p.getStdout());
        }
    }
}
