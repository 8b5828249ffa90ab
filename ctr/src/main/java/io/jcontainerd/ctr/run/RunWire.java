package io.jcontainerd.ctr.run;

import com.google.protobuf.CodedInputStream;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.PendingCall;
import io.jcontainerd.ctr.commands.WireCall;
import io.jcontainerd.ctr.commands.WireMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The calls of {@code run} before and after its task (Leases, Images/Get, Content/Read, Snapshots, Containers), written
 * and read on the wire ({@link WireCall}, {@link WireMessage}) on {@link Connection}'s own call path: no generated
 * message (a message with a map field builds its proto file's descriptors, and every one checks protobuf's
 * {@code RuntimeVersion}) and no io.grpc call (its loggers start java.util.logging, whose service lookup reads the
 * jar): README "Performance", sessions 10, 12 and 13. RunWireTest holds these bytes to the generated messages'.
 */
public final class RunWire {
    /** Type URL of containerd.runc.v1.Options, named without its descriptor. */
    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";
    /** Namespaces.LEASE_HEADER's name: that key is gRPC Metadata, whose initialiser starts java.util.logging. */
    static final String LEASE_HEADER = "containerd-lease";
    // the generated services' names are constants, copied in at compile time: no generated class is loaded
    private static final String LEASES = LeasesGrpc.SERVICE_NAME;
    private static final String IMAGES = ImagesGrpc.SERVICE_NAME;
    private static final String CONTENT = ContentGrpc.SERVICE_NAME;
    private static final String SNAPSHOTS = SnapshotsGrpc.SERVICE_NAME;
    private static final String CONTAINERS = ContainersGrpc.SERVICE_NAME;

    private RunWire() {
    }

    /** A google.protobuf.Any: its type URL and its value's bytes. */
    public record AnyValue(String typeUrl, byte[] value) {
        /** Any: 1 = type_url, 2 = value (not written when empty). */
        WireMessage message() {
            WireMessage m = new WireMessage().string(1, typeUrl);
            return value.length == 0 ? m : m.bytes(2, value);
        }
    }

    /** A container record as Containers/Create takes it (the fields run sets). */
    public record NewContainer(String id, Map<String, String> labels, String image, String runtime, AnyValue runtimeOptions,
                               AnyValue spec, String snapshotter, String snapshotKey) {
    }

    /** An image's target: its media type and digest. */
    public record Target(String mediaType, String digest) {
    }

    /** Leases/Create, sent without waiting; its answer is the new lease's id. */
    static PendingCall<String> startLease(Connection connection, String id, Map<String, String> labels) {
        return WireCall.start(connection, LEASES, "Create", List.of(), leaseRequest(id, labels), RunWire::readLeaseId);
    }

    /** Leases/Delete (leases.v1.DeleteRequest: 1 = id; 2 = sync, false), sent without waiting. */
    static PendingCall<Boolean> startLeaseDelete(Connection connection, String id) {
        return WireCall.start(connection, LEASES, "Delete", List.of(), nameRequest(id), WireCall::skip);
    }

    /** Snapshots/Prepare under {@code lease}; returns the snapshot's mounts. */
    static List<RootfsMount> prepare(Connection connection, String lease, String snapshotter, String key, String parent) {
        return WireCall.start(connection, SNAPSHOTS, "Prepare", leased(lease), prepareRequest(snapshotter, key, parent),
                RunWire::readMounts).await();
    }

    /** Containers/Create under {@code lease}; the answer (the record again) is read past, as run needs none of it. */
    static void createContainer(Connection connection, String lease, NewContainer c) {
        WireCall.start(connection, CONTAINERS, "Create", leased(lease), containerRequest(c), WireCall::skip).await();
    }

    /** Images/Get; returns the image's target. */
    static Target imageTarget(Connection connection, String name) {
        return WireCall.call(connection, IMAGES, "Get", nameRequest(name), RunWire::readTarget);
    }

    /**
     * Content/Read of the whole blob {@code digest}: its bytes, each message's data appended in order; a
     * StatusRuntimeException whose cause is {@code tooLarge}'s exception once they would pass {@code maxBytes}.
     */
    static byte[] readContent(Connection connection, String digest, int maxBytes, Supplier<RuntimeException> tooLarge) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireCall.stream(connection, CONTENT, "Read", nameRequest(digest), in -> {
            byte[] data = readData(in);
            if (out.size() + data.length > maxBytes) {
                throw tooLarge.get();
            }
            out.writeBytes(data);
            return Boolean.TRUE;
        });
        return out.toByteArray();
    }

    /** Snapshots/Remove (snapshots.v1.RemoveSnapshotRequest: 1 = snapshotter, 2 = key). */
    static void removeSnapshot(Connection connection, String snapshotter, String key) {
        WireCall.call(connection, SNAPSHOTS, "Remove", removeSnapshotRequest(snapshotter, key), WireCall::skip);
    }

    static byte[] removeSnapshotRequest(String snapshotter, String key) {
        return new WireMessage().string(1, snapshotter).string(2, key).toByteArray();
    }

    /** Containers/Delete (containers.v1.DeleteContainerRequest: 1 = id). */
    static void deleteContainer(Connection connection, String id) {
        WireCall.call(connection, CONTAINERS, "Delete", nameRequest(id), WireCall::skip);
    }

    /** leases.v1.CreateRequest: 1 = id, 3 = labels. */
    static byte[] leaseRequest(String id, Map<String, String> labels) {
        return new WireMessage().string(1, id).stringMap(3, labels).toByteArray();
    }

    /** snapshots.v1.PrepareSnapshotRequest: 1 = snapshotter, 2 = key, 3 = parent (4 = labels: none). */
    static byte[] prepareRequest(String snapshotter, String key, String parent) {
        return new WireMessage().string(1, snapshotter).string(2, key).string(3, parent).toByteArray();
    }

    /**
     * A request whose one field set is the string 1: images.v1.GetImageRequest's name, leases.v1.DeleteRequest's id,
     * content.v1.ReadContentRequest's digest (2 = offset, 3 = size: 0, the whole blob), DeleteContainerRequest's id.
     */
    static byte[] nameRequest(String name) {
        return new WireMessage().string(1, name).toByteArray();
    }

    /**
     * containers.v1.CreateContainerRequest: 1 = container; Container: 1 = id, 2 = labels, 3 = image,
     * 4 = runtime (1 = name, 2 = options), 5 = spec, 6 = snapshotter, 7 = snapshot_key.
     */
    static byte[] containerRequest(NewContainer c) {
        WireMessage runtime = new WireMessage().string(1, c.runtime());
        if (c.runtimeOptions() != null) {
            runtime.message(2, c.runtimeOptions().message());
        }
        WireMessage container = new WireMessage().string(1, c.id()).stringMap(2, c.labels()).string(3, c.image())
                .message(4, runtime);
        if (c.spec() != null) {
            container.message(5, c.spec().message());
        }
        container.string(6, c.snapshotter()).string(7, c.snapshotKey());
        return new WireMessage().message(1, container).toByteArray();
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

    /** snapshots.v1.PrepareSnapshotResponse: 1 = mounts (repeated); Mount: 1 = type, 2 = source, 3 = target, 4 = options. */
    static List<RootfsMount> readMounts(CodedInputStream in) throws IOException {
        List<RootfsMount> mounts = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == (1 << 3 | 2)) {
                int limit = in.pushLimit(in.readRawVarint32());
                String[] fields = {"", "", ""};
                List<String> options = new ArrayList<>();
                for (int t; (t = in.readTag()) != 0; ) {
                    int field = t >>> 3;
                    if ((t & 7) == 2 && field >= 1 && field <= 3) {
                        fields[field - 1] = WireCall.readUtf8(in);
                    } else if (t == (4 << 3 | 2)) {
                        options.add(WireCall.readUtf8(in));
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                mounts.add(new RootfsMount(fields[0], fields[1], fields[2], options));
            } else {
                in.skipField(tag);
            }
        }
        return mounts;
    }

    /** content.v1.ReadContentResponse: 1 = offset, 2 = data (the last one given, as in protobuf). */
    static byte[] readData(CodedInputStream in) throws IOException {
        byte[] data = new byte[0];
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == (2 << 3 | 2)) {
                data = in.readByteArray();
            } else {
                in.skipField(tag);
            }
        }
        return data;
    }

    /** Descriptor: 1 = media_type, 2 = digest. */
    private static Target readDescriptor(CodedInputStream in) throws IOException {
        String[] fields = WireCall.readStrings(in, "", "");
        return new Target(fields[0], fields[1]);
    }

    private static List<Connection.Header> leased(String lease) {
        return List.of(new Connection.Header(LEASE_HEADER, lease));
    }
}
