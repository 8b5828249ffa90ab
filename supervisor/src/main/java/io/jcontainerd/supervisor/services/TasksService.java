package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.tasks.v1.CloseIORequest;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.CreateTaskResponse;
import io.jcontainerd.api.services.tasks.v1.DeleteProcessRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteResponse;
import io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ExecProcessRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.services.tasks.v1.GetResponse;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ListPidsRequest;
import io.jcontainerd.api.services.tasks.v1.ListPidsResponse;
import io.jcontainerd.api.services.tasks.v1.ListTasksRequest;
import io.jcontainerd.api.services.tasks.v1.ListTasksResponse;
import io.jcontainerd.api.services.tasks.v1.MetricsRequest;
import io.jcontainerd.api.services.tasks.v1.MetricsResponse;
import io.jcontainerd.api.services.tasks.v1.PauseTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.ResumeTaskRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.StartResponse;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.tasks.v1.UpdateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.api.types.Metric;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.api.types.task.Status;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.tasks.Exit;
import io.jcontainerd.supervisor.tasks.ProcessState;
import io.jcontainerd.supervisor.tasks.RuntimeOptions;
import io.jcontainerd.supervisor.tasks.TaskManager;
import io.jcontainerd.supervisor.tasks.TaskSpec;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** containerd.services.tasks.v1.Tasks over the {@link TaskManager}. */
public final class TasksService extends TasksGrpc.TasksImplBase {
    private final TaskManager tasks;

    public TasksService(TaskManager tasks) {
        this.tasks = tasks;
    }

    @Override
    public void create(CreateTaskRequest r, StreamObserver<CreateTaskResponse> o) {
        Rpc.unary(o, () -> {
            if (r.hasCheckpoint() && !r.getCheckpoint().getDigest().isEmpty()) {
                throw JcdException.notImplemented("restoring task %s from a checkpoint is not supported by jcontainerd", r.getContainerId());
            }
            List<Mount> rootfs = r.getRootfsList().stream()
                    .map(m -> new Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList();
            TaskSpec spec = new TaskSpec(r.getContainerId(), rootfs, r.getStdin(), r.getStdout(), r.getStderr(),
                    r.getTerminal(), runtimeOptions(r));
            int pid = tasks.create(RequestContext.namespace(), spec);
            return CreateTaskResponse.newBuilder().setContainerId(r.getContainerId()).setPid(pid).build();
        });
    }

    private static RuntimeOptions runtimeOptions(CreateTaskRequest r) {
        if (!r.hasOptions() || !r.getOptions().getTypeUrl().endsWith("containerd.runc.v1.Options")) {
            return null;
        }
        return new RuntimeOptions(AnyCodec.unpack(r.getOptions(), Options.getDefaultInstance()).getBinaryName());
    }

    @Override
    public void start(StartRequest r, StreamObserver<StartResponse> o) {
        Rpc.unary(o, () -> StartResponse.newBuilder()
                .setPid(tasks.start(RequestContext.namespace(), r.getContainerId(), r.getExecId())).build());
    }

    @Override
    public void delete(DeleteTaskRequest r, StreamObserver<DeleteResponse> o) {
        Rpc.unary(o, () -> deleted(r.getContainerId(), tasks.delete(RequestContext.namespace(), r.getContainerId())));
    }

    @Override
    public void deleteProcess(DeleteProcessRequest r, StreamObserver<DeleteResponse> o) {
        Rpc.unary(o, () -> deleted(r.getExecId(), tasks.deleteProcess(RequestContext.namespace(), r.getContainerId(), r.getExecId())));
    }

    private static DeleteResponse deleted(String id, Exit e) {
        DeleteResponse.Builder b = DeleteResponse.newBuilder().setId(id).setPid(e.pid()).setExitStatus(e.status());
        Timestamps.setIfKnown(e.at(), b::setExitedAt);
        return b.build();
    }

    @Override
    public void get(GetRequest r, StreamObserver<GetResponse> o) {
        Rpc.unary(o, () -> GetResponse.newBuilder()
                .setProcess(toProto(tasks.get(RequestContext.namespace(), r.getContainerId(), r.getExecId()))).build());
    }

    @Override
    public void list(ListTasksRequest r, StreamObserver<ListTasksResponse> o) {
        Rpc.unary(o, () -> ListTasksResponse.newBuilder()
                .addAllTasks(tasks.list(RequestContext.namespace()).stream().map(TasksService::toProto).toList()).build());
    }

    @Override
    public void kill(KillRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            tasks.kill(RequestContext.namespace(), r.getContainerId(), r.getExecId(), r.getSignal(), r.getAll());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void exec(ExecProcessRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            if (r.getExecId().isEmpty()) {
                throw JcdException.invalidArgument("exec in task %s needs an exec id", r.getContainerId());
            }
            tasks.exec(RequestContext.namespace(), r.getContainerId(), r.getExecId(), r.getTerminal(), r.getStdin(),
                    r.getStdout(), r.getStderr(), new Opaque(r.getSpec().getTypeUrl(), r.getSpec().getValue().toByteArray()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void resizePty(ResizePtyRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            tasks.resizePty(RequestContext.namespace(), r.getContainerId(), r.getExecId(), r.getWidth(), r.getHeight());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void closeIO(CloseIORequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            if (r.getStdin()) {
                tasks.closeStdin(RequestContext.namespace(), r.getContainerId(), r.getExecId());
            }
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void pause(PauseTaskRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            tasks.pause(RequestContext.namespace(), r.getContainerId());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void resume(ResumeTaskRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            tasks.resume(RequestContext.namespace(), r.getContainerId());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void listPids(ListPidsRequest r, StreamObserver<ListPidsResponse> o) {
        Rpc.unary(o, () -> ListPidsResponse.newBuilder()
                .addAllProcesses(tasks.pids(RequestContext.namespace(), r.getContainerId())).build());
    }

    @Override
    public void update(UpdateTaskRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            tasks.update(RequestContext.namespace(), r.getContainerId(),
                    new Opaque(r.getResources().getTypeUrl(), r.getResources().getValue().toByteArray()), r.getAnnotationsMap());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void metrics(MetricsRequest r, StreamObserver<MetricsResponse> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            Filter filter = FilterParser.parseAll(r.getFiltersList());
            MetricsResponse.Builder b = MetricsResponse.newBuilder();
            for (String id : tasks.ids(ns)) {
                if (!filter.matches(path -> path.size() == 1 && path.getFirst().equals("id") ? Optional.of(id) : Optional.empty())) {
                    continue;
                }
                Metric.Builder m = Metric.newBuilder().setId(id).setData(tasks.stats(ns, id));
                Timestamps.setIfKnown(Instant.now(), m::setTimestamp);
                b.addMetrics(m);
            }
            return b.build();
        });
    }

    @Override
    public void wait(WaitRequest r, StreamObserver<WaitResponse> o) {
        Rpc.unary(o, () -> {
            Exit e = tasks.waitFor(RequestContext.namespace(), r.getContainerId(), r.getExecId());
            WaitResponse.Builder b = WaitResponse.newBuilder().setExitStatus(e.status());
            Timestamps.setIfKnown(e.at(), b::setExitedAt);
            return b.build();
        });
    }

    private static Process toProto(ProcessState s) {
        Process.Builder b = Process.newBuilder().setId(s.id()).setPid(s.pid()).setStatus(Status.forNumber(s.status().ordinal()))
                .setStdin(s.stdin()).setStdout(s.stdout()).setStderr(s.stderr()).setTerminal(s.terminal())
                .setExitStatus(s.exitStatus());
        Timestamps.setIfKnown(s.exitedAt(), b::setExitedAt);
        return b.build();
    }
}
