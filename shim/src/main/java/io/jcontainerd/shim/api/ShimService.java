package io.jcontainerd.shim.api;

import com.google.protobuf.Empty;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.runc.v1.ProcessDetails;
import io.jcontainerd.api.shim.v1.CloseIORequest;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.ConnectResponse;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.CreateTaskResponse;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.DeleteResponse;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PauseRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.PidsResponse;
import io.jcontainerd.api.shim.v1.ResizePtyRequest;
import io.jcontainerd.api.shim.v1.ResumeRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StartResponse;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.StateResponse;
import io.jcontainerd.api.shim.v1.StatsRequest;
import io.jcontainerd.api.shim.v1.StatsResponse;
import io.jcontainerd.api.shim.v1.UpdateTaskRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.api.shim.v1.WaitResponse;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.api.types.task.ProcessInfo;
import io.jcontainerd.api.types.task.Status;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.shim.AnyTypes;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.proto.TypeUrls;
import io.jcontainerd.proto.ttrpc.TtrpcCall;
import io.jcontainerd.proto.ttrpc.TtrpcService;
import io.jcontainerd.shim.ShimVersion;
import io.jcontainerd.shim.io.Stdio;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.task.ProcessView;
import io.jcontainerd.shim.task.Task;
import io.jcontainerd.shim.task.TaskRegistry;

import java.util.List;

/**
 * The Shim API ({@code jcontainerd/shim/v1/shim.proto}) as a ttrpc service: translates messages to
 * {@link Task} calls and back, nothing more. An error a call throws is its answer's status.
 */
public final class ShimService {
    /** The service name calls carry: the proto's package and service. */
    public static final String NAME = "jcontainerd.shim.v1.Shim";

    private final TaskRegistry tasks;
    private final String namespace;
    private final Runnable shutdown;

    /**
     * @param namespace the one namespace this shim serves when it was started for a task of it; "" when
     *                  each Create names its task's namespace
     * @param shutdown  makes the shim exit (after the current response is sent)
     */
    public ShimService(TaskRegistry tasks, String namespace, Runnable shutdown) {
        this.tasks = tasks;
        this.namespace = namespace;
        this.shutdown = shutdown;
    }

    /** The service to serve: every method of the Shim API. */
    public TtrpcService service() {
        return new TtrpcService(NAME)
                .unary("Create", CreateTaskRequest.parser(), this::create)
                .unary("Start", StartRequest.parser(), this::start)
                .unary("State", StateRequest.parser(), this::state)
                .unary("Delete", DeleteRequest.parser(), this::delete)
                .unary("Pids", PidsRequest.parser(), this::pids)
                .unary("Pause", PauseRequest.parser(), this::pause)
                .unary("Resume", ResumeRequest.parser(), this::resume)
                .unary("Kill", KillRequest.parser(), this::kill)
                .unary("Exec", ExecProcessRequest.parser(), this::exec)
                .unary("ResizePty", ResizePtyRequest.parser(), this::resizePty)
                .unary("CloseIO", CloseIORequest.parser(), this::closeIO)
                .unary("Update", UpdateTaskRequest.parser(), this::update)
                .unary("Wait", WaitRequest.parser(), this::wait)
                .unary("Stats", StatsRequest.parser(), this::stats)
                .unary("Connect", ConnectRequest.parser(), this::connect)
                .unary("Shutdown", ShutdownRequest.parser(), this::shutdown);
    }

    private CreateTaskResponse create(CreateTaskRequest request, TtrpcCall call) {
        if (!request.getCheckpoint().isEmpty()) {
            throw JcdException.notImplemented("task %s: restoring from a checkpoint is not supported by jcontainerd-shim",
                    request.getId());
        }
        Options options = AnyTypes.runcOptions(request.getOptions());
        int pid = tasks.create(namespaceOf(request), request.getId(), request.getBundle(), task -> task.create(
                request.getId(), request.getBundle(), request.getRootfsList(),
                new Stdio(request.getStdin(), request.getStdout(), request.getStderr(), request.getTerminal()),
                options.getBinaryName(), options.getRoot()));
        return CreateTaskResponse.newBuilder().setPid(pid).build();
    }

    private StartResponse start(StartRequest request, TtrpcCall call) {
        return StartResponse.newBuilder().setPid(tasks.get(request.getId()).start(request.getId(), request.getExecId())).build();
    }

    private StateResponse state(StateRequest request, TtrpcCall call) {
        Task task = tasks.get(request.getId());
        ProcessView view = task.state(request.getId(), request.getExecId());
        StateResponse.Builder response = StateResponse.newBuilder()
                .setId(task.id())
                .setExecId(view.execId())
                .setBundle(task.bundle().toString())
                .setPid(view.pid())
                .setStatus(status(view))
                .setStdin(view.stdio().stdin())
                .setStdout(view.stdio().stdout())
                .setStderr(view.stdio().stderr())
                .setTerminal(view.stdio().terminal());
        if (view.exit() != null) {
            response.setExitStatus(view.exit().status());
            Timestamps.setIfKnown(view.exit().exitedAt(), response::setExitedAt);
        }
        return response.build();
    }

    private DeleteResponse delete(DeleteRequest request, TtrpcCall call) {
        ExitStatus exit = tasks.get(request.getId()).delete(request.getId(), request.getExecId());
        // The task is gone with its init: it leaves the group. If it was the last one, the idle
        // action (the spare init stage: a JVM to boot) starts once the answer is sent.
        if (request.getExecId().isEmpty() && tasks.leave(request.getId())) {
            call.afterResponse(tasks::runIdleAction);
        }
        DeleteResponse.Builder response = DeleteResponse.newBuilder().setPid(exit.pid()).setExitStatus(exit.status());
        Timestamps.setIfKnown(exit.exitedAt(), response::setExitedAt);
        return response.build();
    }

    private PidsResponse pids(PidsRequest request, TtrpcCall call) {
        PidsResponse.Builder response = PidsResponse.newBuilder();
        for (var info : tasks.get(request.getId()).pids(request.getId())) {
            ProcessInfo.Builder process = ProcessInfo.newBuilder().setPid(info.pid());
            if (!info.execId().isEmpty()) {
                process.setInfo(AnyTypes.pack(ProcessDetails.newBuilder().setExecId(info.execId()).build()));
            }
            response.addProcesses(process);
        }
        return response.build();
    }

    private Empty pause(PauseRequest request, TtrpcCall call) {
        tasks.get(request.getId()).pause(request.getId());
        return Empty.getDefaultInstance();
    }

    private Empty resume(ResumeRequest request, TtrpcCall call) {
        tasks.get(request.getId()).resume(request.getId());
        return Empty.getDefaultInstance();
    }

    private Empty kill(KillRequest request, TtrpcCall call) {
        tasks.get(request.getId()).kill(request.getId(), request.getExecId(), request.getSignal(), request.getAll());
        return Empty.getDefaultInstance();
    }

    private Empty exec(ExecProcessRequest request, TtrpcCall call) {
        if (!request.hasSpec() || !TypeUrls.OCI_PROCESS.equals(request.getSpec().getTypeUrl())) {
            throw JcdException.invalidArgument("exec %s of task %s: spec must be an Any of type %s holding the OCI process JSON",
                    request.getExecId(), request.getId(), TypeUrls.OCI_PROCESS);
        }
        tasks.get(request.getId()).exec(request.getId(), request.getExecId(),
                new Stdio(request.getStdin(), request.getStdout(), request.getStderr(), request.getTerminal()),
                AnyCodec.jsonOf(request.getSpec()));
        return Empty.getDefaultInstance();
    }

    private Empty resizePty(ResizePtyRequest request, TtrpcCall call) {
        tasks.get(request.getId()).resizePty(request.getId(), request.getExecId(), request.getWidth(), request.getHeight());
        return Empty.getDefaultInstance();
    }

    private Empty closeIO(CloseIORequest request, TtrpcCall call) {
        tasks.get(request.getId()).closeIo(request.getId(), request.getExecId(), request.getStdin());
        return Empty.getDefaultInstance();
    }

    private Empty update(UpdateTaskRequest request, TtrpcCall call) {
        if (!request.hasResources()) {
            throw JcdException.invalidArgument("update of task %s: resources (OCI LinuxResources JSON) are required", request.getId());
        }
        tasks.get(request.getId()).update(request.getId(), AnyCodec.jsonOf(request.getResources()));
        return Empty.getDefaultInstance();
    }

    private WaitResponse wait(WaitRequest request, TtrpcCall call) throws InterruptedException {
        ExitStatus exit = tasks.get(request.getId()).await(request.getId(), request.getExecId());
        WaitResponse.Builder response = WaitResponse.newBuilder().setExitStatus(exit.status());
        Timestamps.setIfKnown(exit.exitedAt(), response::setExitedAt);
        return response.build();
    }

    private StatsResponse stats(StatsRequest request, TtrpcCall call) {
        return StatsResponse.newBuilder().setStats(RuncStats.toMetrics(tasks.get(request.getId()).stats(request.getId()))).build();
    }

    private ConnectResponse connect(ConnectRequest request, TtrpcCall call) {
        ConnectResponse.Builder response = ConnectResponse.newBuilder()
                .setShimPid((int) ProcessHandle.current().pid())
                .setVersion(ShimVersion.VERSION);
        // An empty id asks about every task of the group.
        List<Task> asked = request.getId().isEmpty() ? tasks.all() : List.of(tasks.get(request.getId()));
        if (asked.size() == 1) {
            response.setTaskPid(asked.getFirst().initPid());
        }
        for (Task task : asked) {
            task.processes().forEach(view -> response.addProcesses(process(task, view)));
        }
        return response.build();
    }

    private Empty shutdown(ShutdownRequest request, TtrpcCall call) {
        if (request.getNow()) {
            Thread.ofVirtual().start(shutdown);
            return Empty.getDefaultInstance();
        }
        // Like containerd's shim: a shutdown while something still runs is ignored. A task
        // already deleted has left; the shim exits once none is left.
        List<Task> asked = request.getId().isEmpty() ? tasks.all()
                : tasks.all().stream().filter(t -> t.id().equals(request.getId())).toList();
        if (asked.stream().allMatch(Task::idle)) {
            asked.forEach(t -> tasks.forget(t.id()));
            if (tasks.closeIfIdle()) {
                Thread.ofVirtual().start(shutdown);
            }
        }
        return Empty.getDefaultInstance();
    }

    /** The namespace of the task a Create is for: the request's, which a shim started for a task must share. */
    private String namespaceOf(CreateTaskRequest request) {
        String asked = request.getNamespace();
        if (!namespace.isEmpty()) {
            if (!asked.isEmpty() && !asked.equals(namespace)) {
                throw JcdException.invalidArgument("task %s is in namespace %s but this shim serves namespace %s: start another shim",
                        request.getId(), asked, namespace);
            }
            return namespace;
        }
        if (asked.isEmpty()) {
            throw JcdException.invalidArgument("task %s: namespace is required (this shim serves the tasks of any namespace)",
                    request.getId());
        }
        return Identifiers.validate("namespace", asked);
    }

    private static Process process(Task task, ProcessView view) {
        Process.Builder process = Process.newBuilder()
                .setContainerId(task.id())
                .setId(view.execId().isEmpty() ? task.id() : view.execId())
                .setPid(view.pid())
                .setStatus(status(view))
                .setStdin(view.stdio().stdin())
                .setStdout(view.stdio().stdout())
                .setStderr(view.stdio().stderr())
                .setTerminal(view.stdio().terminal());
        if (view.exit() != null) {
            process.setExitStatus(view.exit().status());
            Timestamps.setIfKnown(view.exit().exitedAt(), process::setExitedAt);
        }
        return process.build();
    }

    private static Status status(ProcessView view) {
        return switch (view.status()) {
            case CREATED -> Status.CREATED;
            case RUNNING -> Status.RUNNING;
            case PAUSED -> Status.PAUSED;
            case STOPPED -> Status.STOPPED;
        };
    }
}
