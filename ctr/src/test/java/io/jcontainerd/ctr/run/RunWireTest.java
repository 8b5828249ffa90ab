package io.jcontainerd.ctr.run;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Timestamp;
import io.jcontainerd.api.runc.v1.Options;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageResponse;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.CreateResponse;
import io.jcontainerd.api.services.leases.v1.Lease;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotResponse;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run's requests are the generated messages' bytes, and their answers read as the generated parsers read them. */
class RunWireTest {
    @Test
    void theRequestsAreTheGeneratedMessagesBytes() throws Exception {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", "busybox é");
        labels.put("empty", "");
        labels.put("io.containerd.image.config.stop-signal", "SIGTERM");
        assertThat(RunWire.leaseRequest("7f0c-lease", Map.of("containerd.io/gc.expire", "2026-12-08T02:00:00Z")))
                .isEqualTo(CreateRequest.newBuilder().setId("7f0c-lease").putLabels("containerd.io/gc.expire", "2026-12-08T02:00:00Z")
                        .build().toByteArray());
        assertThat(RunWire.prepareRequest("overlayfs", "c1", "sha256:abc"))
                .isEqualTo(PrepareSnapshotRequest.newBuilder().setSnapshotter("overlayfs").setKey("c1").setParent("sha256:abc")
                        .build().toByteArray());
        assertThat(RunWire.prepareRequest("overlayfs", "c1", ""))
                .isEqualTo(PrepareSnapshotRequest.newBuilder().setSnapshotter("overlayfs").setKey("c1").build().toByteArray());
        assertThat(RunWire.nameRequest("7f0c-lease"))
                .isEqualTo(io.jcontainerd.api.services.leases.v1.DeleteRequest.newBuilder().setId("7f0c-lease").build().toByteArray());
        assertThat(RunWire.nameRequest("docker.io/library/busybox:latest"))
                .isEqualTo(GetImageRequest.newBuilder().setName("docker.io/library/busybox:latest").build().toByteArray());

        String specJson = "{\"ociVersion\":\"1.0.2\",\"hostname\":\"é\"}";
        Any spec = AnyCodec.packJson(TypeUrls.OCI_SPEC, specJson);
        RunWire.AnyValue specValue = new RunWire.AnyValue(TypeUrls.OCI_SPEC, specJson.getBytes(StandardCharsets.UTF_8));
        RunWire.AnyValue runcOptions = new RunWire.AnyValue(RunWire.RUNC_OPTIONS, new byte[0]);
        byte[] wire = RunWire.containerRequest(new RunWire.NewContainer("c1", labels, "busybox", "io.containerd.runc.v2",
                runcOptions, specValue, "overlayfs", "c1"));
        Container generated = Container.newBuilder().setId("c1").putAllLabels(labels).setImage("busybox")
                .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2").setOptions(AnyCodec.pack(Options.getDefaultInstance())))
                .setSpec(spec).setSnapshotter("overlayfs").setSnapshotKey("c1").build();
        assertThat(wire).isEqualTo(CreateContainerRequest.newBuilder().setContainer(generated).build().toByteArray());
        assertThat(CreateContainerRequest.parseFrom(wire).getContainer().getLabelsMap()).containsExactlyEntriesOf(labels);

        byte[] otherRuntime = RunWire.containerRequest(new RunWire.NewContainer("c2", Map.of(), "busybox", "io.containerd.runsc.v1",
                null, specValue, "native", "c2"));
        assertThat(otherRuntime).isEqualTo(CreateContainerRequest.newBuilder().setContainer(Container.newBuilder().setId("c2")
                .setImage("busybox").setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runsc.v1"))
                .setSpec(spec).setSnapshotter("native").setSnapshotKey("c2")).build().toByteArray());

        assertThat(RunWire.nameRequest("sha256:0123")).isEqualTo(ReadContentRequest.newBuilder().setDigest("sha256:0123").build().toByteArray());
        assertThat(RunWire.nameRequest("c1")).isEqualTo(DeleteContainerRequest.newBuilder().setId("c1").build().toByteArray());
        assertThat(RunWire.removeSnapshotRequest("overlayfs", "c1"))
                .isEqualTo(RemoveSnapshotRequest.newBuilder().setSnapshotter("overlayfs").setKey("c1").build().toByteArray());
        assertThat(RunWire.leaseRequest("", Map.of())).isEqualTo(CreateRequest.getDefaultInstance().toByteArray()).isEmpty();
    }

    @Test
    void theMountsAndContentAreReadAsTheGeneratedParsersReadThem() throws Exception {
        PrepareSnapshotResponse prepared = PrepareSnapshotResponse.newBuilder()
                .addMounts(Mount.newBuilder().setType("overlay").setSource("overlay").addOptions("index=off")
                        .addOptions("").addOptions("workdir=/w é").addOptions("upperdir=/u").addOptions("lowerdir=/l1:/l2"))
                .addMounts(Mount.newBuilder().setType("bind").setSource("/s").setTarget("/t").addOptions("rbind"))
                .addMounts(Mount.getDefaultInstance()).build();
        byte[] bytes = prepared.toByteArray();
        assertThat(RunWire.readMounts(CodedInputStream.newInstance(bytes))).isEqualTo(prepared.getMountsList().stream()
                .map(m -> new RootfsMount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList());
        assertThat(RunWire.readMounts(CodedInputStream.newInstance(new byte[0]))).isEmpty();
        assertThatThrownBy(() -> RunWire.readMounts(CodedInputStream.newInstance(Arrays.copyOf(bytes, bytes.length - 5))))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);

        byte[] data = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] chunk = ReadContentResponse.newBuilder().setOffset(65_536).setData(ByteString.copyFrom(data)).build().toByteArray();
        assertThat(RunWire.readData(CodedInputStream.newInstance(chunk))).isEqualTo(data);
        assertThat(RunWire.readData(CodedInputStream.newInstance(ReadContentResponse.newBuilder().setOffset(3).build().toByteArray())))
                .isEmpty();
    }

    @Test
    void theAnswersAreReadAsTheGeneratedParsersReadThem() throws Exception {
        Timestamp at = Timestamp.newBuilder().setSeconds(1_765_000_000L).setNanos(5).build();
        byte[] lease = CreateResponse.newBuilder().setLease(Lease.newBuilder().setId("lease-é").setCreatedAt(at)
                .putLabels("containerd.io/gc.expire", "2026-12-08T02:00:00Z")).build().toByteArray();
        assertThat(RunWire.readLeaseId(CodedInputStream.newInstance(lease))).isEqualTo(CreateResponse.parseFrom(lease).getLease().getId());

        byte[] image = GetImageResponse.newBuilder().setImage(Image.newBuilder().setName("busybox").putLabels("a", "b")
                .setTarget(Descriptor.newBuilder().setMediaType("application/vnd.oci.image.index.v1+json")
                        .setDigest("sha256:0123").setSize(9_876).putAnnotations("k", "v"))
                .setCreatedAt(at).setUpdatedAt(at)).build().toByteArray();
        Descriptor target = GetImageResponse.parseFrom(image).getImage().getTarget();
        assertThat(RunWire.readTarget(CodedInputStream.newInstance(image)))
                .isEqualTo(new RunWire.Target(target.getMediaType(), target.getDigest()));

        assertThat(RunWire.readTarget(CodedInputStream.newInstance(new byte[0]))).isEqualTo(new RunWire.Target("", ""));
        assertThat(RunWire.readLeaseId(CodedInputStream.newInstance(new byte[0]))).isEmpty();
        assertThatThrownBy(() -> RunWire.readTarget(CodedInputStream.newInstance(Arrays.copyOf(image, image.length - 3))))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
        byte[] notUtf8 = {1 << 3 | 2, 3, 1 << 3 | 2, 1, (byte) 0xff}; // lease { id: "\xff" }, which the generated parser refuses too
        assertThatThrownBy(() -> CreateResponse.parseFrom(notUtf8)).isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> RunWire.readLeaseId(CodedInputStream.newInstance(notUtf8)))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
    }
}
