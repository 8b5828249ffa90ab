package io.jcontainerd.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.jcontainerd.api.cgroups.v1.Metrics;
import io.jcontainerd.api.events.ContainerCreate;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.SnapshotPrepare;
import io.jcontainerd.api.events.TaskCreate;
import io.jcontainerd.api.events.TaskDelete;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.api.services.diff.v1.ApplyRequest;
import io.jcontainerd.api.services.diff.v1.DiffGrpc;
import io.jcontainerd.api.services.diff.v1.DiffRequest;
import io.jcontainerd.api.services.diff.v1.DiffResponse;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.introspection.v1.Plugin;
import io.jcontainerd.api.services.introspection.v1.ServerResponse;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.api.services.snapshots.v1.Kind;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.streaming.v1.StreamingGrpc;
import io.jcontainerd.api.services.tasks.v1.CreateTaskRequest;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.transfer.v1.TransferGrpc;
import io.jcontainerd.api.services.transfer.v1.TransferRequest;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.shim.v1.ShimGrpc;
import io.jcontainerd.api.types.Descriptor.Builder;
import io.jcontainerd.api.types.Metric;
import io.jcontainerd.api.types.Platform;
import io.jcontainerd.api.types.task.Process;
import io.jcontainerd.api.types.task.Status;
import io.jcontainerd.api.types.transfer.ImageStore;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The interface facts of containerd's v1 API that are easiest to get wrong, checked against the
 * descriptors protoc generated from our .proto files. A failure here means ctr, nerdctl or dockerd
 * would misread us on the wire.
 */
class WireCompatibilityTest {

    @Test
    void servicesHaveContainerdsFullNamesAndMethodsInOrder() {
        Map<ServiceDescriptor, List<String>> expected = Map.ofEntries(
                Map.entry(service(VersionGrpc.SERVICE_NAME),
                        List.of("Version")),
                Map.entry(service(NamespacesGrpc.SERVICE_NAME), List.of("Get", "List", "Create", "Update", "Delete")),
                Map.entry(service(IntrospectionGrpc.SERVICE_NAME), List.of("Plugins", "Server", "PluginInfo")),
                Map.entry(service(ContentGrpc.SERVICE_NAME), List.of(
                        "Info", "Update", "List", "Delete", "Read", "Status", "ListStatuses", "Write", "Abort")),
                Map.entry(service(ImagesGrpc.SERVICE_NAME), List.of("Get", "List", "Create", "Update", "Delete")),
                Map.entry(service(LeasesGrpc.SERVICE_NAME), List.of(
                        "Create", "Delete", "List", "AddResource", "DeleteResource", "ListResources")),
                Map.entry(service(SnapshotsGrpc.SERVICE_NAME), List.of(
                        "Prepare", "View", "Mounts", "Commit", "Remove", "Stat", "Update", "List", "Usage", "Cleanup")),
                Map.entry(service(DiffGrpc.SERVICE_NAME), List.of("Apply", "Diff")),
                Map.entry(service(ContainersGrpc.SERVICE_NAME), List.of(
                        "Get", "List", "ListStream", "Create", "Update", "Delete")),
                Map.entry(service(TasksGrpc.SERVICE_NAME), List.of(
                        "Create", "Start", "Delete", "DeleteProcess", "Get", "List", "Kill", "Exec", "ResizePty",
                        "CloseIO", "Pause", "Resume", "ListPids", "Checkpoint", "Update", "Metrics", "Wait")),
                Map.entry(service(EventsGrpc.SERVICE_NAME), List.of("Publish", "Forward", "Subscribe")),
                Map.entry(service(TransferGrpc.SERVICE_NAME), List.of("Transfer")),
                Map.entry(service(StreamingGrpc.SERVICE_NAME), List.of("Stream")));

        assertThat(expected.keySet()).extracting(ServiceDescriptor::getFullName).containsExactlyInAnyOrder(
                "containerd.services.version.v1.Version",
                "containerd.services.namespaces.v1.Namespaces",
                "containerd.services.introspection.v1.Introspection",
                "containerd.services.content.v1.Content",
                "containerd.services.images.v1.Images",
                "containerd.services.leases.v1.Leases",
                "containerd.services.snapshots.v1.Snapshots",
                "containerd.services.diff.v1.Diff",
                "containerd.services.containers.v1.Containers",
                "containerd.services.tasks.v1.Tasks",
                "containerd.services.events.v1.Events",
                "containerd.services.transfer.v1.Transfer",
                "containerd.services.streaming.v1.Streaming");
        expected.forEach((service, methods) -> assertThat(service.getMethods())
                .as(service.getFullName())
                .extracting(m -> m.getName())
                .containsExactlyElementsOf(methods));
    }

    @Test
    void fullMethodNamesAreWhatClientsPutOnTheWire() {
        assertThat(TasksGrpc.getWaitMethod().getFullMethodName()).isEqualTo("containerd.services.tasks.v1.Tasks/Wait");
        assertThat(VersionGrpc.getVersionMethod().getFullMethodName())
                .isEqualTo("containerd.services.version.v1.Version/Version");
        assertThat(NamespacesGrpc.getGetMethod().getFullMethodName())
                .isEqualTo("containerd.services.namespaces.v1.Namespaces/Get");
        assertThat(IntrospectionGrpc.getServerMethod().getFullMethodName())
                .isEqualTo("containerd.services.introspection.v1.Introspection/Server");
        assertThat(ContentGrpc.getWriteMethod().getFullMethodName())
                .isEqualTo("containerd.services.content.v1.Content/Write");
        assertThat(EventsGrpc.getSubscribeMethod().getFullMethodName())
                .isEqualTo("containerd.services.events.v1.Events/Subscribe");
    }

    @Test
    void streamingShapesMatch() {
        assertThat(ContentGrpc.getWriteMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
        assertThat(ContentGrpc.getReadMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(ContentGrpc.getListMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(ContentGrpc.getListStatusesMethod().getType()).isEqualTo(MethodType.UNARY);
        assertThat(SnapshotsGrpc.getListMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(ContainersGrpc.getListStreamMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(ContainersGrpc.getListMethod().getType()).isEqualTo(MethodType.UNARY);
        assertThat(EventsGrpc.getSubscribeMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(StreamingGrpc.getStreamMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
        assertThat(TasksGrpc.getWaitMethod().getType()).isEqualTo(MethodType.UNARY);
    }

    @Test
    void numbersThatSkipAheadAreWhereContainerdPutThem() {
        assertField(DiffResponse.getDescriptor(), "diff", 3, Type.MESSAGE);
        assertThat(DiffResponse.getDescriptor().getFields()).hasSize(1);
        assertField(CreateRequest.getDescriptor(), "id", 1, Type.STRING);
        assertField(CreateRequest.getDescriptor(), "labels", 3, Type.MESSAGE);
        assertThat(CreateRequest.getDescriptor().findFieldByNumber(2)).isNull();
        assertField(Image.getDescriptor(), "target", 3, Type.MESSAGE);
        assertField(Image.getDescriptor(), "created_at", 7, Type.MESSAGE);
        assertField(Image.getDescriptor(), "updated_at", 8, Type.MESSAGE);
        assertThat(CreateTaskRequest.getDescriptor().findFieldByNumber(2)).isNull();
        assertField(CreateTaskRequest.getDescriptor(), "rootfs", 3, Type.MESSAGE);
        assertField(CreateTaskRequest.getDescriptor(), "options", 9, Type.MESSAGE);
        assertField(CreateTaskRequest.getDescriptor(), "runtime_path", 10, Type.STRING);
        assertThat(io.jcontainerd.api.types.Descriptor.getDescriptor().findFieldByNumber(4)).isNull();
        assertField(io.jcontainerd.api.types.Descriptor.getDescriptor(), "annotations", 5, Type.MESSAGE);
        assertField(SnapshotPrepare.getDescriptor(), "snapshotter", 5, Type.STRING);
        assertField(ImageStore.getDescriptor(), "unpacks", 10, Type.MESSAGE);
    }

    @Test
    void versionedAdditionsSitAtTheirApiNumbers() {
        assertField(Container.getDescriptor(), "extensions", 10, Type.MESSAGE);
        assertField(Container.getDescriptor(), "sandbox", 11, Type.STRING);
        assertField(DiffRequest.getDescriptor(), "source_date_epoch", 6, Type.MESSAGE);
        assertField(ApplyRequest.getDescriptor(), "sync_fs", 4, Type.BOOL);
        assertField(DeleteImageRequest.getDescriptor(), "target", 3, Type.MESSAGE);
        assertField(ServerResponse.getDescriptor(), "pid", 2, Type.UINT64);
        assertField(ServerResponse.getDescriptor(), "pidns", 3, Type.UINT64);
        assertField(ServerResponse.getDescriptor(), "deprecations", 4, Type.MESSAGE);
        assertField(Platform.getDescriptor(), "os_version", 4, Type.STRING);
        assertField(TransferRequest.getDescriptor(), "options", 3, Type.MESSAGE);
        assertField(Plugin.getDescriptor(), "init_err", 7, Type.MESSAGE);
        assertThat(Plugin.getDescriptor().findFieldByName("init_err").getMessageType().getFullName())
                .isEqualTo("google.rpc.Status");
    }

    @Test
    void scalarTypesMatchSoVarintsDecodeTheSame() {
        assertField(Process.getDescriptor(), "pid", 3, Type.UINT32);
        assertField(Process.getDescriptor(), "status", 4, Type.ENUM);
        assertField(Process.getDescriptor(), "exit_status", 9, Type.UINT32);
        assertField(Process.getDescriptor(), "exited_at", 10, Type.MESSAGE);
        assertField(TaskExit.getDescriptor(), "pid", 3, Type.UINT32);
        assertField(TaskExit.getDescriptor(), "exit_status", 4, Type.UINT32);
        assertField(TaskExit.getDescriptor(), "exited_at", 5, Type.MESSAGE);
        assertField(TaskDelete.getDescriptor(), "id", 5, Type.STRING);
        assertField(TaskCreate.getDescriptor(), "pid", 6, Type.UINT32);
        assertField(WriteContentRequest.getDescriptor(), "total", 3, Type.INT64);
        assertField(WriteContentRequest.getDescriptor(), "offset", 5, Type.INT64);
        assertField(WriteContentRequest.getDescriptor(), "data", 6, Type.BYTES);
        assertField(WriteContentRequest.getDescriptor(), "labels", 7, Type.MESSAGE);
        assertField(WriteContentResponse.getDescriptor(), "digest", 6, Type.STRING);
        assertField(Metric.getDescriptor(), "id", 2, Type.STRING);
        assertField(Metric.getDescriptor(), "data", 3, Type.MESSAGE);
        assertField(Options.getDescriptor(), "binary_name", 6, Type.STRING);
        assertField(Options.getDescriptor(), "root", 7, Type.STRING);
        assertField(Options.getDescriptor(), "systemd_cgroup", 9, Type.BOOL);
        assertField(Options.getDescriptor(), "io_uid", 4, Type.UINT32);
        assertField(Metrics.getDescriptor(), "memory", 4, Type.MESSAGE);
        assertField(Metrics.getDescriptor(), "cgroup_stats", 8, Type.MESSAGE);
    }

    @Test
    void enumsKeepContainerdsNamesAndNumbers() {
        assertEnum(Status.getDescriptor(), Map.of(
                "UNKNOWN", 0, "CREATED", 1, "RUNNING", 2, "STOPPED", 3, "PAUSED", 4, "PAUSING", 5));
        assertEnum(WriteAction.getDescriptor(), Map.of("STAT", 0, "WRITE", 1, "COMMIT", 2));
        assertEnum(Kind.getDescriptor(), Map.of("UNKNOWN", 0, "VIEW", 1, "ACTIVE", 2, "COMMITTED", 3));
    }

    @Test
    void messageFullNamesUsedAsAnyTypeUrls() {
        assertThat(ImageCreate.getDescriptor().getFullName()).isEqualTo("containerd.services.images.v1.ImageCreate");
        assertThat(Envelope.getDescriptor().getFullName()).isEqualTo("containerd.services.events.v1.Envelope");
        assertThat(TaskExit.getDescriptor().getFullName()).isEqualTo("containerd.events.TaskExit");
        assertThat(ContainerCreate.Runtime.getDescriptor().getFullName())
                .isEqualTo("containerd.events.ContainerCreate.Runtime");
        assertThat(Process.getDescriptor().getFullName()).isEqualTo("containerd.v1.types.Process");
        assertThat(Options.getDescriptor().getFullName()).isEqualTo("containerd.runc.v1.Options");
        assertThat(io.jcontainerd.api.runtimeoptions.v1.Options.getDescriptor().getFullName())
                .isEqualTo("runtimeoptions.v1.Options");
        assertThat(Metrics.getDescriptor().getFullName()).isEqualTo("io.containerd.cgroups.v1.Metrics");
        assertThat(io.jcontainerd.api.cgroups.v2.Metrics.getDescriptor().getFullName())
                .isEqualTo("io.containerd.cgroups.v2.Metrics");
        assertThat(Container.Runtime.getDescriptor().getFullName())
                .isEqualTo("containerd.services.containers.v1.Container.Runtime");
    }

    @Test
    void encodedBytesMatchWhatAGoClientProduces() {
        // TaskExit{container_id:"c", id:"c", pid:42, exit_status:1}, hand-encoded from the field table.
        byte[] exit = TaskExit.newBuilder().setContainerId("c").setId("c").setPid(42).setExitStatus(1)
                .build().toByteArray();
        assertThat(HexFormat.of().formatHex(exit)).isEqualTo("0a0163120163182a2001");

        // DiffResponse{diff{digest:"d"}}: tag 0x1a = field 3, length-delimited.
        Builder desc = io.jcontainerd.api.types.Descriptor.newBuilder().setDigest("d");
        byte[] diff = DiffResponse.newBuilder().setDiff(desc).build().toByteArray();
        assertThat(HexFormat.of().formatHex(diff)).isEqualTo("1a03120164");
    }

    @Test
    void ourShimServiceHasTheTaskOperations() {
        assertThat(ShimGrpc.SERVICE_NAME).isEqualTo("jcontainerd.shim.v1.Shim");
        assertThat(service(ShimGrpc.SERVICE_NAME).getMethods()).extracting(m -> m.getName()).containsExactly(
                "State", "Create", "Start", "Delete", "Pids", "Pause", "Resume", "Kill", "Exec", "ResizePty",
                "CloseIO", "Update", "Wait", "Stats", "Connect", "Shutdown");
    }

    private static ServiceDescriptor service(String fullName) {
        for (var file : List.of(
                io.jcontainerd.api.services.version.v1.VersionProto.getDescriptor(),
                io.jcontainerd.api.services.namespaces.v1.NamespaceProto.getDescriptor(),
                io.jcontainerd.api.services.introspection.v1.IntrospectionProto.getDescriptor(),
                io.jcontainerd.api.services.content.v1.ContentProto.getDescriptor(),
                io.jcontainerd.api.services.images.v1.ImagesProto.getDescriptor(),
                io.jcontainerd.api.services.leases.v1.LeasesProto.getDescriptor(),
                io.jcontainerd.api.services.snapshots.v1.SnapshotsProto.getDescriptor(),
                io.jcontainerd.api.services.diff.v1.DiffProto.getDescriptor(),
                io.jcontainerd.api.services.containers.v1.ContainersProto.getDescriptor(),
                io.jcontainerd.api.services.tasks.v1.TasksProto.getDescriptor(),
                io.jcontainerd.api.services.events.v1.EventsProto.getDescriptor(),
                io.jcontainerd.api.services.transfer.v1.TransferProto.getDescriptor(),
                io.jcontainerd.api.services.streaming.v1.StreamingProto.getDescriptor(),
                io.jcontainerd.api.shim.v1.ShimProto.getDescriptor())) {
            ServiceDescriptor found = file.findServiceByName(fullName.substring(fullName.lastIndexOf('.') + 1));
            if (found != null && found.getFullName().equals(fullName)) {
                return found;
            }
        }
        throw new AssertionError("no service " + fullName + " in our descriptors");
    }

    private static void assertField(Descriptor message, String name, int number, Type type) {
        FieldDescriptor field = message.findFieldByName(name);
        assertThat(field).as("%s.%s exists", message.getFullName(), name).isNotNull();
        assertThat(field.getNumber()).as("%s.%s number", message.getFullName(), name).isEqualTo(number);
        assertThat(field.getType()).as("%s.%s type", message.getFullName(), name).isEqualTo(type);
    }

    private static void assertEnum(EnumDescriptor type, Map<String, Integer> values) {
        assertThat(type.getValues()).hasSize(values.size());
        values.forEach((name, number) ->
                assertThat(type.findValueByName(name).getNumber()).as("%s.%s", type.getFullName(), name)
                        .isEqualTo(number));
    }
}
