package io.jcontainerd.ctr.run;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotResponse;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.ctr.commands.WireCall;
import io.jcontainerd.proto.Namespaces;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The calls of {@code run} whose messages have map fields, written and read on the wire ({@link WireCall}):
 * Leases/Create, Snapshots/Prepare, Containers/Create and Images/Get. A generated message with a map field
 * builds its proto file's descriptors (and protobuf's DescriptorProtos) the first time it is serialized or
 * a map entry is parsed, which was the longest stretch of a {@code jctr run}'s main thread (README
 * "Performance", session 10). The other messages of the run path have no map and stay generated
 * (Mount, the task calls, Content/Read). RunWireTest holds these bytes to the generated messages'.
 */
public final class RunWire {
    /** Type URL of containerd.runc.v1.Options, named without its descriptor. */
    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";

    private RunWire() {
    }

    /** A container record as Containers/Create takes it (the fields run sets). */
    public record NewContainer(String id, Map<String, String> labels, String image, String runtime, Any runtimeOptions,
                               Any spec, String snapshotter, String snapshotKey) {
    }

    /** An image's target: its media type and digest. */
    public record Target(String mediaType, String digest) {
    }

    /** Leases/Create, sent without waiting; its answer is the new lease's id. */
    static CompletableFuture<String> startLease(Channel channel, String id, Map<String, String> labels) {
        return WireCall.start(channel, LeasesGrpc.SERVICE_NAME, "Create", leaseRequest(id, labels), RunWire::readLeaseId);
    }

    /** Leases/Delete (leases.v1.DeleteRequest: 1 = id; 2 = sync, false), sent without waiting. */
    static CompletableFuture<Boolean> startLeaseDelete(Channel channel, String id) {
        return WireCall.start(channel, LeasesGrpc.SERVICE_NAME, "Delete", nameRequest(id), in -> {
            in.skipMessage();
            return Boolean.TRUE;
        });
    }

    /** Snapshots/Prepare under {@code lease}; returns the snapshot's mounts. */
    static List<Mount> prepare(Channel channel, String lease, String snapshotter, String key, String parent) {
        return WireCall.call(leased(channel, lease), SnapshotsGrpc.SERVICE_NAME, "Prepare",
                prepareRequest(snapshotter, key, parent), in -> PrepareSnapshotResponse.parseFrom(in).getMountsList());
    }

    /** Containers/Create under {@code lease}; the answer (the record again) is read past, as run needs none of it. */
    static void createContainer(Channel channel, String lease, NewContainer c) {
        WireCall.call(leased(channel, lease), ContainersGrpc.SERVICE_NAME, "Create", containerRequest(c), in -> {
            in.skipMessage();
            return Boolean.TRUE;
        });
    }

    /** Images/Get; returns the image's target. */
    static Target imageTarget(Channel channel, String name) {
        return WireCall.call(channel, ImagesGrpc.SERVICE_NAME, "Get", nameRequest(name), RunWire::readTarget);
    }

    /** leases.v1.CreateRequest: 1 = id, 3 = labels. */
    static byte[] leaseRequest(String id, Map<String, String> labels) {
        return write(out -> {
            string(out, 1, id);
            stringMap(out, 3, labels);
        });
    }

    /** snapshots.v1.PrepareSnapshotRequest: 1 = snapshotter, 2 = key, 3 = parent (4 = labels: none). */
    static byte[] prepareRequest(String snapshotter, String key, String parent) {
        return write(out -> {
            string(out, 1, snapshotter);
            string(out, 2, key);
            string(out, 3, parent);
        });
    }

    /** A request whose one field set is the string 1: images.v1.GetImageRequest's name, leases.v1.DeleteRequest's id. */
    static byte[] nameRequest(String name) {
        return write(out -> string(out, 1, name));
    }

    /**
     * containers.v1.CreateContainerRequest: 1 = container; Container: 1 = id, 2 = labels, 3 = image,
     * 4 = runtime (1 = name, 2 = options), 5 = spec, 6 = snapshotter, 7 = snapshot_key.
     */
    static byte[] containerRequest(NewContainer c) {
        byte[] runtime = write(out -> {
            string(out, 1, c.runtime());
            if (c.runtimeOptions() != null) {
                out.writeMessage(2, c.runtimeOptions());
            }
        });
        byte[] container = write(out -> {
            string(out, 1, c.id());
            stringMap(out, 2, c.labels());
            string(out, 3, c.image());
            out.writeByteArray(4, runtime);
            if (c.spec() != null) {
                out.writeMessage(5, c.spec());
            }
            string(out, 6, c.snapshotter());
            string(out, 7, c.snapshotKey());
        });
        return write(out -> out.writeByteArray(1, container));
    }

    /** leases.v1.CreateResponse: 1 = lease; Lease: 1 = id. */
    static String readLeaseId(CodedInputStream in) throws IOException {
        String id = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == (1 << 3 | 2)) {
                int limit = in.pushLimit(in.readRawVarint32());
                id = WireCall.readStrings(in, id)[0];
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return id;
    }

    /** images.v1.GetImageResponse: 1 = image; Image: 3 = target; Descriptor: 1 = media_type, 2 = digest. */
    static Target readTarget(CodedInputStream in) throws IOException {
        Target target = new Target("", "");
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == (1 << 3 | 2)) {
                int image = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == (3 << 3 | 2)) {
                        int descriptor = in.pushLimit(in.readRawVarint32());
                        target = readDescriptor(in);
                        in.popLimit(descriptor);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(image);
            } else {
                in.skipField(tag);
            }
        }
        return target;
    }

    /** Descriptor: 1 = media_type, 2 = digest. */
    private static Target readDescriptor(CodedInputStream in) throws IOException {
        String[] fields = WireCall.readStrings(in, "", "");
        return new Target(fields[0], fields[1]);
    }

    private static Channel leased(Channel channel, String lease) {
        Metadata h = new Metadata();
        h.put(Namespaces.LEASE_HEADER, lease);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h));
    }

    /** A proto3 string: not written when empty, as the generated code does. */
    private static void string(CodedOutputStream out, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            out.writeString(field, value);
        }
    }

    /**
     * A map<string, string>: one entry message per pair in the map's order, key (1) and value (2) written even
     * when empty, as protobuf-java's map entries are.
     */
    private static void stringMap(CodedOutputStream out, int field, Map<String, String> map) throws IOException {
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.writeByteArray(field, write(entry -> {
                entry.writeString(1, e.getKey());
                entry.writeString(2, e.getValue());
            }));
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
