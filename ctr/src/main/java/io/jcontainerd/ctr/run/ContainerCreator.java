package io.jcontainerd.ctr.run;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.PendingCall;
import io.jcontainerd.ctr.spec.Spec;
import io.jcontainerd.ctr.spec.SpecJson;
import io.jcontainerd.proto.TypeUrls;

import java.nio.charset.StandardCharsets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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

    private final Connection connection;
    private final String namespace;

    public ContainerCreator(Connection connection, String namespace) {
        this.connection = connection;
        this.namespace = namespace;
    }

    /**
     * What was created: the container's snapshot mounts (the task's rootfs), and the create's lease, whose
     * deletion was sent without waiting for it (the record and its snapshot no longer need it): the
     * caller takes its answer with {@link #awaitLeaseDeleted} before it closes the connection.
     */
    public record Created(String id, List<RootfsMount> rootfs, String snapshotter, PendingCall<Boolean> leaseDeleted) {
        public void awaitLeaseDeleted() {
            try {
                leaseDeleted.await();
            } catch (RuntimeException ignored) {
                // the lease expires by itself within 24 h
            }
        }
    }

    public Created create(String id, String imageName, RunOptions options, String snapshotter, String runtime,
                          Map<String, String> extraLabels) {
        // the lease is asked for while the image's records are read (neither needs the other): one round trip fewer
        PendingCall<String> leaseCall = RunWire.startLease(connection, UUID.randomUUID().toString(),
                Map.of("containerd.io/gc.expire", UtcSeconds.format(System.currentTimeMillis() / 1000 + LEASE_SECONDS)));
        ImageConfig image;
        try {
            image = new ImageReader(connection).read(imageName);
        } catch (RuntimeException e) {
            try {
                deleteLease(leaseCall.await());
            } catch (RuntimeException notCreated) {
                // no lease to delete
            }
            throw e;
        }
        String lease = leaseCall.await();
        boolean created = false;
        try {
            List<RootfsMount> mounts = prepare(id, imageName, image, snapshotter, lease);
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
                RunWire.AnyValue runtimeOptions = runtime.equals(RUNC_V2) ? new RunWire.AnyValue(RunWire.RUNC_OPTIONS, new byte[0]) : null;
                // the spec as AnyCodec.packJson packs it: its JSON's UTF-8 bytes under the OCI spec's type URL
                RunWire.AnyValue specValue = new RunWire.AnyValue(TypeUrls.OCI_SPEC, SpecJson.write(spec).getBytes(StandardCharsets.UTF_8));
                RunWire.createContainer(connection, lease, new RunWire.NewContainer(id, labels, imageName, runtime,
                        runtimeOptions, specValue, snapshotter, id));
                created = true;
                return new Created(id, mounts, snapshotter, RunWire.startLeaseDelete(connection, lease));
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
            RunWire.startLeaseDelete(connection, lease).await();
        } catch (StatusRuntimeException ignored) {
            // the lease expires by itself within 24 h
        }
    }

    private List<RootfsMount> prepare(String id, String imageName, ImageConfig image, String snapshotter, String lease) {
        try {
            return RunWire.prepare(connection, lease, snapshotter, id, image.topChainId());
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
            RunWire.removeSnapshot(connection, snapshotter, key);
        } catch (StatusRuntimeException ignored) {
            // not there: nothing to undo
        }
    }
}
