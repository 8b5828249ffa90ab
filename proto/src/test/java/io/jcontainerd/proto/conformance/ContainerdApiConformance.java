package io.jcontainerd.proto.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.containers.v1.ListContainerMessage;
import io.jcontainerd.api.services.containers.v1.ListContainersRequest;
import io.jcontainerd.api.services.containers.v1.UpdateContainerRequest;
import io.jcontainerd.api.services.content.v1.AbortRequest;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.ListStatusesRequest;
import io.jcontainerd.api.services.content.v1.StatusRequest;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.api.services.content.v1.DeleteContentRequest;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.api.services.content.v1.WriteAction;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.api.services.diff.v1.ApplyRequest;
import io.jcontainerd.api.services.diff.v1.ApplyResponse;
import io.jcontainerd.api.services.diff.v1.DiffGrpc;
import io.jcontainerd.api.services.diff.v1.DiffRequest;
import io.jcontainerd.api.services.diff.v1.DiffResponse;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.PublishRequest;
import io.jcontainerd.api.services.images.v1.CreateImageRequest;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.images.v1.ListImagesRequest;
import io.jcontainerd.api.services.images.v1.UpdateImageRequest;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.introspection.v1.Plugin;
import io.jcontainerd.api.services.introspection.v1.PluginsRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.Lease;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.leases.v1.ListResourcesRequest;
import io.jcontainerd.api.services.leases.v1.AddResourceRequest;
import io.jcontainerd.api.services.leases.v1.Resource;
import io.jcontainerd.api.services.namespaces.v1.CreateNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.DeleteNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.GetNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.jcontainerd.api.services.namespaces.v1.Namespace;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.api.services.namespaces.v1.UpdateNamespaceRequest;
import io.jcontainerd.api.services.snapshots.v1.CommitSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.Info;
import io.jcontainerd.api.services.snapshots.v1.Kind;
import io.jcontainerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.UpdateSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.UsageRequest;
import io.jcontainerd.api.services.snapshots.v1.ViewSnapshotRequest;
import io.jcontainerd.api.services.tasks.v1.GetRequest;
import io.jcontainerd.api.services.tasks.v1.ListTasksRequest;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.version.v1.VersionGrpc;
import io.jcontainerd.api.services.version.v1.VersionResponse;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.KnownMessages;
import io.jcontainerd.proto.Namespaces;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.proto.TypeUrls;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * containerd's v1 API as a client sees it, spoken through our generated stubs. Run against the
 * real containerd (ContainerdWireIT) it proves our .proto files are wire-compatible; run against
 * jcontainerd it checks the daemon behaves as containerd does. Subclasses give the channel.
 */
public abstract class ContainerdApiConformance {

    /** Namespace the tests work in; objects are cleaned up by each test. */
    protected static final String NS = "jcd-conformance";

    /** The channel to the server under test, without namespace header. */
    protected abstract Channel rawChannel();

    /** Held by every test, as real clients hold one, so the server's GC leaves our objects alone. */
    private static final String SUITE_LEASE = "jcd-conformance-suite";

    private Channel namespaced() {
        return ClientInterceptors.intercept(rawChannel(),
                Namespaces.namespaceAndLeaseInterceptor(NS, SUITE_LEASE));
    }

    @BeforeEach
    void takeTheSuiteLease() {
        LeasesGrpc.newBlockingStub(ClientInterceptors.intercept(rawChannel(), Namespaces.namespaceInterceptor(NS)))
                .create(CreateRequest.newBuilder().setId(SUITE_LEASE).build());
    }

    @AfterEach
    void dropTheSuiteLease() {
        LeasesGrpc.newBlockingStub(ClientInterceptors.intercept(rawChannel(), Namespaces.namespaceInterceptor(NS)))
                .delete(DeleteRequest.newBuilder().setId(SUITE_LEASE).build());
    }

    @Test
    void versionAndServerIdentity() {
        VersionResponse version = VersionGrpc.newBlockingStub(rawChannel()).version(Empty.getDefaultInstance());
        var server = IntrospectionGrpc.newBlockingStub(rawChannel()).server(Empty.getDefaultInstance());

        assertThat(version.getVersion()).matches("v?\\d+\\.\\d+\\.\\d+.*");
        assertThat(server.getUuid()).hasSize(36);
    }

    @Test
    void introspectionListsSnapshottersWithTheirPlatforms() {
        var plugins = IntrospectionGrpc.newBlockingStub(rawChannel())
                .plugins(PluginsRequest.newBuilder().addFilters("type==io.containerd.snapshotter.v1, id==native").build())
                .getPluginsList();

        assertThat(plugins).extracting(Plugin::getId).containsExactly("native");
        assertThat(plugins.getFirst().getPlatformsList()).anySatisfy(p -> {
            assertThat(p.getOs()).isEqualTo("linux");
            assertThat(p.getArchitecture()).isNotEmpty();
        });
    }

    @Test
    void namespaceLabelsRoundTripThroughCreateUpdateAndGet() {
        // ctr always sends a namespace header; containerd 1.6 needs one here to publish the
        // /namespaces/* event (without it Create answers UNKNOWN "namespace is required").
        var namespaces = NamespacesGrpc.newBlockingStub(
                ClientInterceptors.intercept(rawChannel(), Namespaces.namespaceInterceptor(NS)));
        String name = "jcd-ns-labels";
        namespaces.create(CreateNamespaceRequest.newBuilder()
                .setNamespace(Namespace.newBuilder().setName(name).putLabels("a", "1")).build());
        try {
            namespaces.update(UpdateNamespaceRequest.newBuilder()
                    .setNamespace(Namespace.newBuilder().setName(name).putLabels("b", "2"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.b"))
                    .build());

            Namespace got = namespaces.get(GetNamespaceRequest.newBuilder().setName(name).build()).getNamespace();
            assertThat(got.getLabelsMap()).containsEntry("a", "1").containsEntry("b", "2");
            assertThat(namespaces.list(ListNamespacesRequest.getDefaultInstance()).getNamespacesList())
                    .extracting(Namespace::getName).contains(name);
        } finally {
            namespaces.delete(DeleteNamespaceRequest.newBuilder().setName(name).build());
        }
    }

    @Test
    void contentWriteStatWriteCommitThenReadInfoAndAlreadyExists() throws Exception {
        byte[] blob = "hello from jcontainerd's conformance suite\n".getBytes(StandardCharsets.UTF_8);
        String digest = sha256(blob);
        var content = ContentGrpc.newBlockingStub(namespaced());
        Instant before = Instant.now().minusSeconds(5);
        try {
            List<WriteContentResponse> answers = write("conf-blob-1", digest, blob);
            assertThat(answers.getFirst().getAction()).isEqualTo(WriteAction.STAT);
            assertThat(answers.getFirst().getOffset()).isZero();
            assertThat(answers.get(1).getOffset()).isEqualTo(blob.length);
            assertThat(answers.get(2).getAction()).isEqualTo(WriteAction.COMMIT);
            assertThat(answers.get(2).getDigest()).isEqualTo(digest);

            var info = content.info(InfoRequest.newBuilder().setDigest(digest).build()).getInfo();
            assertThat(info.getSize()).isEqualTo(blob.length);
            assertThat(info.getLabelsMap()).containsEntry("jcd.test", "yes");
            assertThat(Timestamps.toInstant(info.getCreatedAt())).hasValueSatisfying(t -> assertThat(t).isAfter(before));

            Iterator<ReadContentResponse> chunks =
                    content.read(ReadContentRequest.newBuilder().setDigest(digest).setOffset(6).build());
            ByteString read = ByteString.EMPTY;
            while (chunks.hasNext()) {
                read = read.concat(chunks.next().getData());
            }
            assertThat(read.toStringUtf8()).isEqualTo("from jcontainerd's conformance suite\n");

            assertThatThrownBy(() -> write("conf-blob-2", digest, blob))
                    .isInstanceOf(AlreadyExistsException.class);
        } finally {
            content.delete(DeleteContentRequest.newBuilder().setDigest(digest).build());
        }
    }

    @Test
    void readingPastTheEndIsOutOfRangeWhichClientsSeeAsUnknown() throws Exception {
        byte[] blob = "short".getBytes(StandardCharsets.UTF_8);
        String digest = sha256(blob);
        var content = ContentGrpc.newBlockingStub(namespaced());
        write("conf-blob-3", digest, blob);
        try {
            assertThatThrownBy(() -> content.read(ReadContentRequest.newBuilder()
                            .setDigest(digest).setOffset(100).build()).hasNext())
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.OUT_OF_RANGE);
                        assertThat(GrpcErrors.fromStatus(e).kind()).isEqualTo(ErrorKind.UNKNOWN);
                    });
        } finally {
            content.delete(DeleteContentRequest.newBuilder().setDigest(digest).build());
        }
    }

    @Test
    void unfinishedIngestIsVisibleInStatusUntilAborted() throws Exception {
        byte[] blob = "0123456789".getBytes(StandardCharsets.UTF_8);
        String digest = sha256(blob);
        var content = ContentGrpc.newBlockingStub(namespaced());
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        java.util.concurrent.CompletableFuture<Void> streamEnded = new java.util.concurrent.CompletableFuture<>();
        StreamObserver<WriteContentRequest> requests = ContentGrpc.newStub(namespaced())
                .write(new StreamObserver<>() {
                    @Override public void onNext(WriteContentResponse value) { answers.add(value); }
                    @Override public void onError(Throwable t) { answers.add(t); streamEnded.complete(null); }
                    @Override public void onCompleted() { streamEnded.complete(null); }
                });
        requests.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setRef("conf-partial")
                .setTotal(blob.length).setExpected(digest).setData(ByteString.copyFrom(blob, 0, 4)).build());
        assertThat(next(answers).getOffset()).isEqualTo(4);
        requests.onCompleted();
        // the server has let go of the ingest once it ends its side of the stream
        streamEnded.get(30, java.util.concurrent.TimeUnit.SECONDS);
        try {
            var status = content.status(StatusRequest.newBuilder().setRef("conf-partial").build()).getStatus();
            assertThat(status.getRef()).isEqualTo("conf-partial");
            assertThat(status.getOffset()).isEqualTo(4);
            assertThat(status.getTotal()).isEqualTo(blob.length);
            assertThat(Timestamps.toInstant(status.getStartedAt())).isPresent();
            assertThat(content.listStatuses(ListStatusesRequest.newBuilder().addFilters("ref==conf-partial").build())
                    .getStatusesList()).extracting(s -> s.getRef()).containsExactly("conf-partial");
        } finally {
            content.abort(AbortRequest.newBuilder().setRef("conf-partial").build());
        }
        assertThatThrownBy(() -> content.status(StatusRequest.newBuilder().setRef("conf-partial").build()))
                .satisfies(e -> assertThat(GrpcErrors.fromStatus(e)).isInstanceOf(NotFoundException.class));
    }

    @Test
    void contentLabelsUpdateByFieldMask() throws Exception {
        byte[] blob = "labelled".getBytes(StandardCharsets.UTF_8);
        String digest = sha256(blob);
        var content = ContentGrpc.newBlockingStub(namespaced());
        write("conf-labels", digest, blob);
        try {
            var updated = content.update(UpdateRequest.newBuilder()
                    .setInfo(io.jcontainerd.api.services.content.v1.Info.newBuilder().setDigest(digest)
                            .putLabels("containerd.io/gc.ref.content.l.0", "sha256:" + "3".repeat(64)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.containerd.io/gc.ref.content.l.0"))
                    .build()).getInfo();

            assertThat(updated.getLabelsMap())
                    .containsEntry("jcd.test", "yes")
                    .containsEntry("containerd.io/gc.ref.content.l.0", "sha256:" + "3".repeat(64));
            assertThat(Timestamps.toInstant(updated.getUpdatedAt())).isPresent();
        } finally {
            content.delete(DeleteContentRequest.newBuilder().setDigest(digest).build());
        }
    }

    @Test
    void missingContentIsNotFoundWithTheWords() {
        var content = ContentGrpc.newBlockingStub(namespaced());

        assertThatThrownBy(() -> content.info(InfoRequest.newBuilder().setDigest("sha256:" + "0".repeat(64)).build()))
                .satisfies(e -> {
                    var error = GrpcErrors.fromStatus(e);
                    assertThat(error).isInstanceOf(NotFoundException.class);
                    assertThat(((StatusRuntimeException) e).getStatus().getDescription()).contains("not found");
                });
    }

    @Test
    void leaseLabelsTravelInFieldThreeAndResourcesAttach() {
        var leases = LeasesGrpc.newBlockingStub(namespaced());
        Lease lease = leases.create(CreateRequest.newBuilder()
                .setId("conf-lease").putLabels("containerd.io/gc.expire", "2099-01-01T00:00:00Z").build()).getLease();
        try {
            assertThat(lease.getId()).isEqualTo("conf-lease");
            assertThat(lease.getLabelsMap()).containsEntry("containerd.io/gc.expire", "2099-01-01T00:00:00Z");
            assertThat(Timestamps.toInstant(lease.getCreatedAt())).isPresent();
            Resource resource = Resource.newBuilder().setType("content").setId("sha256:" + "1".repeat(64)).build();
            leases.addResource(AddResourceRequest.newBuilder().setId("conf-lease").setResource(resource).build());
            assertThat(leases.listResources(ListResourcesRequest.newBuilder().setId("conf-lease").build())
                    .getResourcesList()).containsExactly(resource);
            assertThatThrownBy(() -> leases.create(CreateRequest.newBuilder().setId("conf-lease").build()))
                    .satisfies(e -> assertThat(GrpcErrors.fromStatus(e)).isInstanceOf(AlreadyExistsException.class));
        } finally {
            leases.delete(DeleteRequest.newBuilder().setId("conf-lease").build());
        }
        assertThatThrownBy(() -> leases.delete(DeleteRequest.newBuilder().setId("conf-lease").build()))
                .satisfies(e -> assertThat(GrpcErrors.fromStatus(e)).isInstanceOf(NotFoundException.class));
    }

    @Test
    void imageTimestampsComeBackInFieldsSevenAndEightAndEventsUseTheImagesPackage() throws Exception {
        var images = ImagesGrpc.newBlockingStub(namespaced());
        BlockingQueue<Envelope> events = new LinkedBlockingQueue<>();
        var subscription = EventStreams.subscribe(rawChannel(), "namespace==" + NS + ",topic~=|^/images/|", events);
        try {
            Image created = images.create(CreateImageRequest.newBuilder().setImage(Image.newBuilder()
                            .setName("example.test/conformance:1")
                            .putLabels("l", "v")
                            .setTarget(Descriptor.newBuilder()
                                    .setMediaType("application/vnd.oci.image.index.v1+json")
                                    .setDigest("sha256:" + "2".repeat(64))
                                    .setSize(123)))
                    .build()).getImage();

            assertThat(Timestamps.toInstant(created.getCreatedAt())).isPresent();
            assertThat(Timestamps.toInstant(created.getUpdatedAt())).isPresent();
            assertThat(images.get(GetImageRequest.newBuilder().setName("example.test/conformance:1").build())
                    .getImage().getTarget().getSize()).isEqualTo(123);
            assertThat(images.list(ListImagesRequest.newBuilder().addFilters("name==\"example.test/conformance:1\"")
                    .build()).getImagesList()).hasSize(1);
            Image updated = images.update(UpdateImageRequest.newBuilder()
                    .setImage(Image.newBuilder().setName("example.test/conformance:1").putLabels("added", "yes"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.added"))
                    .build()).getImage();
            assertThat(updated.getLabelsMap()).containsEntry("l", "v").containsEntry("added", "yes");
            assertThat(updated.getTarget().getSize()).isEqualTo(123);

            Envelope envelope = events.poll(10, TimeUnit.SECONDS);
            assertThat(envelope).as("an /images/create event within 10 s").isNotNull();
            assertThat(envelope.getTopic()).isEqualTo("/images/create");
            assertThat(envelope.getNamespace()).isEqualTo(NS);
            assertThat(envelope.getEvent().getTypeUrl()).isEqualTo("containerd.services.images.v1.ImageCreate");
            Message payload = KnownMessages.decode(envelope.getEvent()).orElseThrow();
            assertThat(payload).isInstanceOfSatisfying(ImageCreate.class,
                    e -> assertThat(e.getName()).isEqualTo("example.test/conformance:1"));
        } finally {
            subscription.cancel(null);
            images.delete(DeleteImageRequest.newBuilder().setName("example.test/conformance:1").build());
        }
    }

    @Test
    void publishedTaskExitWithBareTypeUrlReachesSubscribers() throws Exception {
        BlockingQueue<Envelope> events = new LinkedBlockingQueue<>();
        var subscription = EventStreams.subscribe(rawChannel(), "topic==\"/tasks/exit\"", events);
        try {
            TaskExit exit = TaskExit.newBuilder().setContainerId("c1").setId("c1").setPid(4242).setExitStatus(137)
                    .setExitedAt(Timestamps.toTimestamp(Instant.parse("2024-01-02T03:04:05Z"))).build();
            EventsGrpc.newBlockingStub(namespaced()).publish(PublishRequest.newBuilder()
                    .setTopic("/tasks/exit").setEvent(AnyCodec.pack(exit)).build());

            Envelope envelope = events.poll(10, TimeUnit.SECONDS);
            assertThat(envelope).as("the /tasks/exit event within 10 s").isNotNull();
            assertThat(envelope.getEvent().getTypeUrl()).isEqualTo("containerd.events.TaskExit");
            assertThat(AnyCodec.unpack(envelope.getEvent(), TaskExit.getDefaultInstance())).isEqualTo(exit);
            assertThat(Timestamps.toInstant(envelope.getTimestamp())).isPresent();
        } finally {
            subscription.cancel(null);
        }
    }

    @Test
    void containerSpecAndRuntimeOptionsAreEchoedByteForByte() {
        var containers = ContainersGrpc.newBlockingStub(namespaced());
        Any spec = AnyCodec.packJson(TypeUrls.OCI_SPEC, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}}");
        Any options = AnyCodec.pack(Options.newBuilder().setBinaryName("runc").setSystemdCgroup(true).build());
        containers.create(CreateContainerRequest.newBuilder().setContainer(Container.newBuilder()
                .setId("conf-c1")
                .putLabels("k", "v")
                .setImage("example.test/conformance:1")
                .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2").setOptions(options))
                .setSpec(spec)
                .setSnapshotter("native")
                .setSnapshotKey("conf-c1")).build());
        try {
            Container got = containers.get(GetContainerRequest.newBuilder().setId("conf-c1").build()).getContainer();
            assertThat(got.getSpec()).isEqualTo(spec);
            assertThat(got.getRuntime().getOptions()).isEqualTo(options);
            assertThat(AnyCodec.unpack(got.getRuntime().getOptions(), Options.getDefaultInstance()).getBinaryName())
                    .isEqualTo("runc");
            assertThat(Timestamps.toInstant(got.getCreatedAt())).isPresent();
            Container relabelled = containers.update(UpdateContainerRequest.newBuilder()
                    .setContainer(Container.newBuilder().setId("conf-c1").putLabels("k2", "v2"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.k2"))
                    .build()).getContainer();
            assertThat(relabelled.getLabelsMap()).containsEntry("k", "v").containsEntry("k2", "v2");
            assertThat(relabelled.getSpec()).isEqualTo(spec);

            List<String> streamed = new ArrayList<>();
            containers.listStream(ListContainersRequest.getDefaultInstance())
                    .forEachRemaining((ListContainerMessage m) -> streamed.add(m.getContainer().getId()));
            assertThat(streamed).contains("conf-c1");
        } finally {
            containers.delete(DeleteContainerRequest.newBuilder().setId("conf-c1").build());
        }
    }

    @Test
    void containerWithoutTaskIsNotFoundOnTasksGetAndWait() {
        var tasks = TasksGrpc.newBlockingStub(namespaced());

        assertThat(tasks.list(ListTasksRequest.getDefaultInstance()).getTasksList()).isEmpty();
        assertThatThrownBy(() -> tasks.get(GetRequest.newBuilder().setContainerId("conf-none").build()))
                .satisfies(e -> assertThat(GrpcErrors.fromStatus(e)).isInstanceOf(NotFoundException.class));
        assertThatThrownBy(() -> tasks.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .wait(WaitRequest.newBuilder().setContainerId("conf-none").build()))
                .satisfies(e -> assertThat(GrpcErrors.fromStatus(e)).isInstanceOf(NotFoundException.class));
    }

    @Test
    void snapshotLifecycleWithApplyAndDiff() throws Exception {
        var snapshots = SnapshotsGrpc.newBlockingStub(namespaced());
        var content = ContentGrpc.newBlockingStub(namespaced());
        byte[] layer = Tars.singleFile("hello.txt", "layer content\n");
        String layerDigest = sha256(layer);
        write("conf-layer", layerDigest, layer);
        List<String> diffsToDelete = new ArrayList<>(List.of(layerDigest));
        try {
            List<Mount> mounts = snapshots.prepare(PrepareSnapshotRequest.newBuilder()
                    .setSnapshotter("native").setKey("conf-extract").build()).getMountsList();
            assertThat(mounts).isNotEmpty();
            assertThat(snapshots.stat(StatSnapshotRequest.newBuilder().setSnapshotter("native").setKey("conf-extract")
                    .build()).getInfo().getKind()).isEqualTo(Kind.ACTIVE);

            ApplyResponse applied = DiffGrpc.newBlockingStub(namespaced()).apply(ApplyRequest.newBuilder()
                    .setDiff(Descriptor.newBuilder().setMediaType("application/vnd.oci.image.layer.v1.tar")
                            .setDigest(layerDigest).setSize(layer.length))
                    .addAllMounts(mounts).build());
            assertThat(applied.getApplied().getDigest()).isEqualTo(layerDigest);

            snapshots.commit(CommitSnapshotRequest.newBuilder().setSnapshotter("native")
                    .setName("conf-layer-1").setKey("conf-extract").build());
            Info committed = snapshots.stat(StatSnapshotRequest.newBuilder().setSnapshotter("native")
                    .setKey("conf-layer-1").build()).getInfo();
            assertThat(committed.getKind()).isEqualTo(Kind.COMMITTED);
            assertThat(committed.getName()).isEqualTo("conf-layer-1");
            assertThat(snapshots.usage(UsageRequest.newBuilder().setSnapshotter("native").setKey("conf-layer-1")
                    .build()).getSize()).isPositive();
            Info labelled = snapshots.update(UpdateSnapshotRequest.newBuilder().setSnapshotter("native")
                    .setInfo(Info.newBuilder().setName("conf-layer-1").putLabels("jcd.snap", "1"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.jcd.snap"))
                    .build()).getInfo();
            assertThat(labelled.getLabelsMap()).containsEntry("jcd.snap", "1");

            List<Mount> lower = snapshots.view(ViewSnapshotRequest.newBuilder().setSnapshotter("native")
                    .setKey("conf-empty").build()).getMountsList();
            List<Mount> upper = snapshots.view(ViewSnapshotRequest.newBuilder().setSnapshotter("native")
                    .setKey("conf-view").setParent("conf-layer-1").build()).getMountsList();
            DiffResponse diff = DiffGrpc.newBlockingStub(namespaced()).diff(DiffRequest.newBuilder()
                    .addAllLeft(lower).addAllRight(upper)
                    .setMediaType("application/vnd.oci.image.layer.v1.tar").setRef("conf-diff").build());
            assertThat(diff.getDiff().getDigest()).startsWith("sha256:");
            assertThat(diff.getDiff().getSize()).isPositive();
            diffsToDelete.add(diff.getDiff().getDigest());

            List<String> listed = new ArrayList<>();
            snapshots.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native").build())
                    .forEachRemaining(r -> r.getInfoList().forEach(i -> listed.add(i.getName())));
            assertThat(listed).contains("conf-layer-1", "conf-view", "conf-empty");
        } finally {
            for (String key : List.of("conf-view", "conf-empty", "conf-extract", "conf-layer-1")) {
                try {
                    snapshots.remove(RemoveSnapshotRequest.newBuilder().setSnapshotter("native").setKey(key).build());
                } catch (StatusRuntimeException ignored) {
                    // not created because an earlier step failed
                }
            }
            for (String d : diffsToDelete) {
                content.delete(DeleteContentRequest.newBuilder().setDigest(d).build());
            }
        }
    }

    /** STAT, WRITE, COMMIT on one Write stream; returns the three answers. */
    protected List<WriteContentResponse> write(String ref, String digest, byte[] data) throws Exception {
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<WriteContentRequest> requests = ContentGrpc.newStub(namespaced())
                .write(new StreamObserver<>() {
                    @Override public void onNext(WriteContentResponse value) { answers.add(value); }
                    @Override public void onError(Throwable t) { answers.add(t); }
                    @Override public void onCompleted() { }
                });
        List<WriteContentResponse> got = new ArrayList<>();
        try {
            requests.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.STAT).setRef(ref)
                    .setTotal(data.length).setExpected(digest).build());
            got.add(next(answers));
            requests.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.WRITE)
                    .setOffset(0).setData(ByteString.copyFrom(data)).build());
            got.add(next(answers));
            requests.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT)
                    .setTotal(data.length).setOffset(data.length).setExpected(digest)
                    .putLabels("jcd.test", "yes").build());
            got.add(next(answers));
            requests.onCompleted();
            return got;
        } catch (RuntimeException e) {
            requests.onError(e);
            throw e;
        }
    }

    private static WriteContentResponse next(BlockingQueue<Object> answers) throws InterruptedException {
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        if (answer == null) {
            throw new AssertionError("no Content.Write answer within 10 s");
        }
        if (answer instanceof Throwable t) {
            throw GrpcErrors.fromStatus(t);
        }
        return (WriteContentResponse) answer;
    }

    protected static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
