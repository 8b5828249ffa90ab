package io.jcontainerd.proto.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.jcontainerd.api.events.TaskCreate;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExecStarted;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.events.TaskStart;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.runc.v1.ProcessDetails;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteProcessRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteResponse;
import io.jcontainerd.api.services.tasks.v1.ExecProcessRequest;
import io.jcontainerd.api.services.tasks.v1.DeleteTaskRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ListPidsRequest;
import io.jcontainerd.api.services.tasks.v1.MetricsRequest;
import io.jcontainerd.api.services.tasks.v1.PauseTaskRequest;
import io.jcontainerd.api.services.tasks.v1.ResumeTaskRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.api.types.Metric;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.api.types.task.ProcessInfo;
import io.jcontainerd.api.types.task.Status;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.KnownMessages;
import io.jcontainerd.proto.Namespaces;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.proto.TypeUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tasks end to end as dockerd drives them: a container with an absolute rootfs (a directory
 * holding Debian's static busybox), no snapshot, runtime io.containerd.runc.v2, and the task
 * events a subscriber sees. Needs root, runc and busybox-static on the host the server runs on.
 */
public abstract class ContainerdTaskConformance {

    /**
     * The suite's namespace, this run's own: the runtime keeps its state directory of the namespace
     * (runc's /run/containerd/runc/&lt;ns&gt;, jrunc's /run/jrunc/&lt;ns&gt;) after the last task, as every
     * run on the machine would share a fixed one; each server's suite removes it ({@link #removeRuntimeRoot}).
     */
    private static final String NS = "jcd-task-conformance-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    private Path bundleRoot;
    private final List<String> containers = new ArrayList<>();

    /** The channel to the server under test, without namespace header. */
    protected abstract Channel rawChannel();

    /** Removes {@code roots}/&lt;the suite's namespace&gt;, the runtime's state directory of it, empty once the suite's tasks are deleted. */
    protected static void removeRuntimeRoot(Path roots) throws java.io.IOException {
        Files.deleteIfExists(roots.resolve(NS));
    }

    private Channel namespaced() {
        return ClientInterceptors.intercept(rawChannel(), Namespaces.namespaceInterceptor(NS));
    }

    @BeforeEach
    void makeRootfs() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IllegalStateException("/bin/busybox missing: apt-get install busybox-static");
        }
        bundleRoot = Files.createTempDirectory("jcd-task-conformance-");
        Path bin = Files.createDirectories(bundleRoot.resolve("rootfs/bin"));
        Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(bundleRoot.resolve("rootfs/proc"));
    }

    @AfterEach
    void removeTasksAndRootfs() throws Exception {
        var tasks = TasksGrpc.newBlockingStub(namespaced());
        for (String id : containers) {
            try {
                tasks.kill(KillRequest.newBuilder().setContainerId(id).setSignal(9).setAll(true).build());
                tasks.withDeadlineAfter(10, TimeUnit.SECONDS).wait(WaitRequest.newBuilder().setContainerId(id).build());
            } catch (RuntimeException alreadyGone) {
                // the test deleted it, or it never started
            }
            try {
                tasks.delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            } catch (RuntimeException alreadyGone) {
                // deleted by the test
            }
            ContainersGrpc.newBlockingStub(namespaced()).delete(DeleteContainerRequest.newBuilder().setId(id).build());
        }
        try (Stream<Path> walk = Files.walk(bundleRoot)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void taskRunsToItsExitCodeWithEventsInOrder() throws Exception {
        BlockingQueue<Envelope> events = new LinkedBlockingQueue<>();
        Context.CancellableContext subscription =
                EventStreams.subscribe(rawChannel(), "namespace==" + NS + ",topic~=|^/tasks/|", events);
        try {
            createContainer("conf-exit", "/bin/busybox", "sh", "-c", "exit 3");
            var tasks = TasksGrpc.newBlockingStub(namespaced());
            int createdPid = tasks.create(CreateTaskRequest.newBuilder().setContainerId("conf-exit").build()).getPid();
            assertThat(createdPid).isPositive();
            assertThat(tasks.get(GetRequest.newBuilder().setContainerId("conf-exit").build()).getProcess().getStatus())
                    .isEqualTo(Status.CREATED);

            // Wait before Start, as ctr does.
            CompletableFuture<WaitResponse> waited = CompletableFuture.supplyAsync(() -> tasks
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .wait(WaitRequest.newBuilder().setContainerId("conf-exit").build()));
            Thread.sleep(200);
            int startedPid = tasks.start(StartRequest.newBuilder().setContainerId("conf-exit").build()).getPid();

            WaitResponse exit = waited.get(30, TimeUnit.SECONDS);
            assertThat(exit.getExitStatus()).isEqualTo(3);
            assertThat(Timestamps.toInstant(exit.getExitedAt())).isPresent();

            Process stopped = tasks.get(GetRequest.newBuilder().setContainerId("conf-exit").build()).getProcess();
            assertThat(stopped.getStatus()).isEqualTo(Status.STOPPED);
            assertThat(stopped.getId()).isEqualTo("conf-exit");
            assertThat(stopped.getExitStatus()).isEqualTo(3);
            assertThat(stopped.getPid()).as("a stopped init keeps its pid until it is deleted").isEqualTo(startedPid);
            assertThat(stopped.getExitedAt()).as("Get and Wait report the same exit").isEqualTo(exit.getExitedAt());

            DeleteResponse deleted = tasks.delete(DeleteTaskRequest.newBuilder().setContainerId("conf-exit").build());
            assertThat(deleted.getExitStatus()).isEqualTo(3);
            assertThat(deleted.getPid()).isEqualTo(startedPid);

            List<Message> payloads = new ArrayList<>();
            while (payloads.size() < 4) {
                Envelope envelope = events.poll(10, TimeUnit.SECONDS);
                assertThat(envelope).as("task event %d of 4 within 10 s (got %s)", payloads.size() + 1, payloads)
                        .isNotNull();
                payloads.add(KnownMessages.decode(envelope.getEvent()).orElseThrow(
                        () -> new AssertionError("undecodable event " + envelope.getEvent().getTypeUrl())));
            }
            assertThat(payloads).extracting(m -> m.getClass().getSimpleName())
                    .containsExactly("TaskCreate", "TaskStart", "TaskExit", "TaskDelete");
            assertThat(((TaskCreate) payloads.get(0)).getPid()).isEqualTo(createdPid);
            assertThat(((TaskStart) payloads.get(1)).getPid()).isEqualTo(startedPid);
            TaskExit taskExit = (TaskExit) payloads.get(2);
            assertThat(taskExit.getPid()).as("dockerd matches the exit by the Start pid").isEqualTo(startedPid);
            assertThat(taskExit.getId()).isEqualTo("conf-exit");
            assertThat(taskExit.getExitStatus()).isEqualTo(3);
            assertThat(((TaskDelete) payloads.get(3)).getExitStatus()).isEqualTo(3);
        } finally {
            subscription.cancel(null);
        }
    }

    @Test
    void runningTaskReportsPidsAndCgroupMetricsAndDiesByKill() throws Exception {
        createContainer("conf-kill", "/bin/busybox", "sleep", "60");
        var tasks = TasksGrpc.newBlockingStub(namespaced());
        tasks.create(CreateTaskRequest.newBuilder().setContainerId("conf-kill").build());
        int pid = tasks.start(StartRequest.newBuilder().setContainerId("conf-kill").build()).getPid();

        assertThat(tasks.get(GetRequest.newBuilder().setContainerId("conf-kill").build()).getProcess().getStatus())
                .isEqualTo(Status.RUNNING);
        List<ProcessInfo> pids =
                tasks.listPids(ListPidsRequest.newBuilder().setContainerId("conf-kill").build()).getProcessesList();
        assertThat(pids).extracting(ProcessInfo::getPid).contains(pid);
        for (ProcessInfo info : pids) {
            if (info.hasInfo()) {
                assertThat(info.getInfo().getTypeUrl()).isEqualTo("containerd.runc.v1.ProcessDetails");
                AnyCodec.unpack(info.getInfo(), ProcessDetails.getDefaultInstance());
            }
        }

        List<Metric> metrics = tasks.metrics(MetricsRequest.newBuilder().addFilters("id==conf-kill").build())
                .getMetricsList();
        assertThat(metrics).hasSize(1);
        assertThat(metrics.getFirst().getId()).isEqualTo("conf-kill");
        assertThat(metrics.getFirst().getData().getTypeUrl())
                .isIn("io.containerd.cgroups.v1.Metrics", "io.containerd.cgroups.v2.Metrics");
        Message data = KnownMessages.decode(metrics.getFirst().getData()).orElseThrow();
        if (data instanceof io.jcontainerd.api.cgroups.v1.Metrics v1) {
            assertThat(v1.getPids().getCurrent()).isPositive();
        } else if (data instanceof io.jcontainerd.api.cgroups.v2.Metrics v2) {
            assertThat(v2.getPids().getCurrent()).isPositive();
        }

        tasks.kill(KillRequest.newBuilder().setContainerId("conf-kill").setSignal(9).build());
        WaitResponse exit = tasks.withDeadlineAfter(30, TimeUnit.SECONDS)
                .wait(WaitRequest.newBuilder().setContainerId("conf-kill").build());
        assertThat(exit.getExitStatus()).isEqualTo(137);
    }

    @Test
    void callsOnAMissingOrFinishedProcessFailWithContainerdsCodes() throws Exception {
        createContainer("conf-codes", "/bin/busybox", "sleep", "60");
        var tasks = TasksGrpc.newBlockingStub(namespaced());
        CreateTaskRequest create = CreateTaskRequest.newBuilder().setContainerId("conf-codes").build();
        assertThat(code(() -> tasks.get(GetRequest.newBuilder().setContainerId("conf-codes").build())))
                .as("Get before Create").isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        tasks.create(create);
        assertThat(code(() -> tasks.create(create))).as("a second Create").isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS);
        tasks.start(StartRequest.newBuilder().setContainerId("conf-codes").build());

        String process = """
                {"terminal":false,"user":{"uid":0,"gid":0},"args":["/bin/busybox","true"],"env":["PATH=/bin"],"cwd":"/"}
                """;
        ExecProcessRequest exec = ExecProcessRequest.newBuilder().setContainerId("conf-codes").setExecId("e1")
                .setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS, process)).build();
        tasks.exec(exec);
        assertThat(code(() -> tasks.exec(exec))).as("an exec id in use").isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS);
        assertThat(code(() -> tasks.start(StartRequest.newBuilder().setContainerId("conf-codes").setExecId("nothere").build())))
                .as("Start of an unknown exec").isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        tasks.deleteProcess(DeleteProcessRequest.newBuilder().setContainerId("conf-codes").setExecId("e1").build());

        tasks.kill(KillRequest.newBuilder().setContainerId("conf-codes").setSignal(9).build());
        assertThat(tasks.withDeadlineAfter(30, TimeUnit.SECONDS)
                .wait(WaitRequest.newBuilder().setContainerId("conf-codes").build()).getExitStatus()).isEqualTo(137);
        assertThat(code(() -> tasks.kill(KillRequest.newBuilder().setContainerId("conf-codes").setSignal(9).build())))
                .as("Kill after the exit").isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        tasks.delete(DeleteTaskRequest.newBuilder().setContainerId("conf-codes").build());
        assertThat(code(() -> tasks.delete(DeleteTaskRequest.newBuilder().setContainerId("conf-codes").build())))
                .as("Delete of a deleted task").isEqualTo(io.grpc.Status.Code.NOT_FOUND);
    }

    /** The gRPC status code {@code call} fails with (OK if it does not fail). */
    private static io.grpc.Status.Code code(Runnable call) {
        try {
            call.run();
            return io.grpc.Status.Code.OK;
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void execRunsBesideInitAndPauseResumePublishTheirEvents() throws Exception {
        BlockingQueue<Envelope> events = new LinkedBlockingQueue<>();
        // Subscribed before the create: the shim forwards events after the call that caused them answers,
        // so a subscription made after Start may still see its TaskCreate and TaskStart (jcontainerd's do).
        Context.CancellableContext subscription =
                EventStreams.subscribe(rawChannel(), "namespace==" + NS + ",topic~=|^/tasks/|", events);
        createContainer("conf-exec", "/bin/busybox", "sleep", "60");
        var tasks = TasksGrpc.newBlockingStub(namespaced());
        tasks.create(CreateTaskRequest.newBuilder().setContainerId("conf-exec").build());
        tasks.start(StartRequest.newBuilder().setContainerId("conf-exec").build());
        try {
            String process = """
                    {"terminal":false,"user":{"uid":0,"gid":0},"args":["/bin/busybox","sh","-c","exit 5"],
                     "env":["PATH=/bin"],"cwd":"/"}
                    """;
            tasks.exec(ExecProcessRequest.newBuilder().setContainerId("conf-exec").setExecId("e1")
                    .setSpec(AnyCodec.packJson(TypeUrls.OCI_PROCESS, process)).build());
            CompletableFuture<WaitResponse> waited = CompletableFuture.supplyAsync(() -> tasks
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .wait(WaitRequest.newBuilder().setContainerId("conf-exec").setExecId("e1").build()));
            Thread.sleep(200);
            int execPid = tasks.start(StartRequest.newBuilder().setContainerId("conf-exec").setExecId("e1").build())
                    .getPid();
            assertThat(waited.get(30, TimeUnit.SECONDS).getExitStatus()).isEqualTo(5);
            DeleteResponse deleted = tasks.deleteProcess(DeleteProcessRequest.newBuilder()
                    .setContainerId("conf-exec").setExecId("e1").build());
            assertThat(deleted.getId()).isEqualTo("e1");
            assertThat(deleted.getExitStatus()).isEqualTo(5);

            tasks.pause(PauseTaskRequest.newBuilder().setContainerId("conf-exec").build());
            assertThat(tasks.get(GetRequest.newBuilder().setContainerId("conf-exec").build()).getProcess().getStatus())
                    .isEqualTo(Status.PAUSED);
            tasks.resume(ResumeTaskRequest.newBuilder().setContainerId("conf-exec").build());

            List<Message> payloads = new ArrayList<>();
            while (payloads.size() < 7) {
                Envelope envelope = events.poll(10, TimeUnit.SECONDS);
                assertThat(envelope).as("task event %d of 7 within 10 s (got %s)", payloads.size() + 1, payloads)
                        .isNotNull();
                payloads.add(KnownMessages.decode(envelope.getEvent()).orElseThrow());
            }
            // No TaskDelete for an exec: containerd's runc shim publishes it for the init process only.
            assertThat(payloads).extracting(m -> m.getClass().getSimpleName()).containsExactly(
                    "TaskCreate", "TaskStart", "TaskExecAdded", "TaskExecStarted", "TaskExit", "TaskPaused", "TaskResumed");
            assertThat(((TaskExecStarted) payloads.get(3)).getPid()).isEqualTo(execPid);
            TaskExit exit = (TaskExit) payloads.get(4);
            assertThat(exit.getId()).as("an exec's exit carries the exec id").isEqualTo("e1");
            assertThat(exit.getContainerId()).isEqualTo("conf-exec");
            assertThat(exit.getPid()).isEqualTo(execPid);
        } finally {
            subscription.cancel(null);
        }
    }

    private void createContainer(String id, String... args) {
        String spec = """
                {"ociVersion":"1.0.2",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":%s,
                            "env":["PATH=/bin"],"cwd":"/","noNewPrivileges":true},
                 "root":{"path":"%s","readonly":true},
                 "hostname":"%s",
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
                 "linux":{"cgroupsPath":"/jcd-conformance-%s",
                          "namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"}]}}
                """.formatted(jsonArray(args), bundleRoot.resolve("rootfs"), id, id);
        ContainersGrpc.newBlockingStub(namespaced()).create(CreateContainerRequest.newBuilder()
                .setContainer(Container.newBuilder()
                        .setId(id)
                        .setRuntime(Container.Runtime.newBuilder()
                                .setName("io.containerd.runc.v2")
                                .setOptions(AnyCodec.pack(Options.getDefaultInstance())))
                        .setSpec(AnyCodec.packJson(TypeUrls.OCI_SPEC, spec)))
                .build());
        containers.add(id);
    }

    private static String jsonArray(String... values) {
        return Stream.of(values).map(v -> "\"" + v.replace("\"", "\\\"") + "\"")
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
