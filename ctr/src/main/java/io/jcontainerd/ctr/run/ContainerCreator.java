package io.jcontainerd.ctr.run;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.ctr.commands.WireCall;
import io.jcontainerd.ctr.spec.Spec;
import io.jcontainerd.ctr.spec.SpecJson;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.TypeUrls;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Creates a container from an image the way ctr 1.6's client does: under a short lease, prepare
 * the snapshot on the image's top layer, build the spec, create the container record; a
 * failure after the snapshot was prepared removes it again.
 */
public final class ContainerCreator {
    public static final String RUNC_V2 = "io.containerd.runc.v2";
    public static final String STOP_SIGNAL_LABEL = "io.containerd.image.config.stop-signal";
    /** How long the create's lease holds what it references if jctr never deletes it, as ctr's 24 h. */
    private static final long LEASE_SECONDS = 24 * 3600;

    private final Stubs stubs;
    private final String namespace;

    public ContainerCreator(Stubs stubs, String namespace) {
        this.stubs = stubs;
        this.namespace = namespace;
    }

    /**
     * What was created: the container's snapshot mounts (the task's rootfs), and the create's lease, whose
     * deletion was sent without waiting for it (the record and its snapshot no longer need it): the
     * caller takes its answer with {@link #awaitLeaseDeleted} before it closes the connection.
     */
    public record Created(String id, List<Mount> rootfs, String snapshotter, CompletableFuture<Boolean> leaseDeleted) {
        public void awaitLeaseDeleted() {
            try {
                WireCall.await(leaseDeleted);
            } catch (RuntimeException ignored) {
                // the lease expires by itself within 24 h
            }
        }
    }

    public Created create(String id, String imageName, RunOptions options, String snapshotter, String runtime,
                          Map<String, String> extraLabels) {
        // the lease is asked for while the image's records are read (neither needs the other): one round trip fewer
        CompletableFuture<String> leaseCall = RunWire.startLease(stubs.channel(), UUID.randomUUID().toString(),
                Map.of("containerd.io/gc.expire", UtcSeconds.format(System.currentTimeMillis() / 1000 + LEASE_SECONDS)));
        ImageConfig image;
        try {
            image = new ImageReader(stubs.channel(), stubs.content()).read(imageName);
        } catch (RuntimeException e) {
            try {
                deleteLease(WireCall.await(leaseCall));
            } catch (RuntimeException notCreated) {
                // no lease to delete
            }
            throw e;
        }
        String lease = WireCall.await(leaseCall);
        boolean created = false;
        try {
            List<Mount> mounts = prepare(id, imageName, image, snapshotter, lease);
            try {
                RootfsFiles files = RootfsFiles.of(mounts);
                String user = !options.user().isEmpty() ? options.user() : image.user();
                Spec.User resolved = Users.resolve(user, files::read);
                Spec spec = SpecBuilder.build(namespace, id, image, options, resolved,
                        options.privileged() ? HostDevices.list() : List.of());
                Map<String, String> labels = new LinkedHashMap<>(image.labels());
                labels.putAll(extraLabels);
                labels.put(STOP_SIGNAL_LABEL, image.stopSignal().isEmpty() ? "SIGTERM" : image.stopSignal());
                // runc's Options with no field set: its type URL and no bytes (AnyCodec.pack would build its descriptor)
                Any runtimeOptions = runtime.equals(RUNC_V2) ? Any.newBuilder().setTypeUrl(RunWire.RUNC_OPTIONS).build() : null;
                RunWire.createContainer(stubs.channel(), lease, new RunWire.NewContainer(id, labels, imageName, runtime,
                        runtimeOptions, AnyCodec.packJson(TypeUrls.OCI_SPEC, SpecJson.write(spec)), snapshotter, id));
                created = true;
                return new Created(id, mounts, snapshotter, RunWire.startLeaseDelete(stubs.channel(), lease));
            } catch (RuntimeException e) {
                removeSnapshot(snapshotter, id);
                if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
                    throw alreadyExists(id);
                }
                throw e;
            }
        } finally {
            if (!created) {
                deleteLease(lease);
            }
        }
    }

    private void deleteLease(String lease) {
        try {
            stubs.leases().delete(DeleteRequest.newBuilder().setId(lease).build());
        } catch (StatusRuntimeException ignored) {
            // the lease expires by itself within 24 h
        }
    }

    private List<Mount> prepare(String id, String imageName, ImageConfig image, String snapshotter, String lease) {
        try {
            return RunWire.prepare(stubs.channel(), lease, snapshotter, id, image.topChainId());
        } catch (StatusRuntimeException e) {
            switch (e.getStatus().getCode()) {
                case ALREADY_EXISTS -> throw alreadyExists(id);
                case NOT_FOUND -> throw new RunException("image " + imageName + " is not unpacked for snapshotter "
                        + snapshotter + ": pull it again with `jctr images pull " + imageName + "`"
                        + " (" + e.getStatus().getDescription() + ")");
                default -> throw e;
            }
        }
    }

    private RunException alreadyExists(String id) {
        return new RunException("container " + id + " already exists in namespace " + namespace
                + ": remove it with `jctr containers rm " + id + "` or choose another id (AlreadyExists)");
    }

    void removeSnapshot(String snapshotter, String key) {
        try {
            stubs.snapshots().remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build());
        } catch (StatusRuntimeException ignored) {
            // not there: nothing to undo
        }
    }
}
