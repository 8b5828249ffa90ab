package io.jcontainerd.supervisor.cri;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jcontainerd.api.events.ContainerCreate;
import io.jcontainerd.api.events.ContainerDelete;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.supervisor.metadata.Json;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * CRI sandboxes and containers kept as containerd containers of namespace {@link CriNames#NAMESPACE}:
 * the CRI config (protobuf) and state (JSON) in two extensions, so they survive a daemon restart
 * and {@code jctr -n k8s.io containers ls} shows them.
 */
final class CriRecords {
    private final ContainerStore containers;
    private final EventExchange events;

    /** @param events where the creation and deletion of each record is published (/containers/create, /containers/delete in k8s.io) */
    CriRecords(ContainerStore containers, EventExchange events) {
        this.containers = containers;
        this.events = events;
    }

    /**
     * Prepares the rootfs snapshot {@code key} from {@code parent}, then stores the record {@code make}
     * returns from its mounts (the spec needs the image's users, read from the rootfs): the snapshot's
     * record and the container's in one synced write, so one disk sync, and no collection between them sees
     * the snapshot (it has no lease) without the record that keeps it. A crash before that write leaves a
     * snapshot no record names, which the next collection removes. Publishes /containers/create, as
     * containerd's Containers service does for its cri plugin.
     */
    WithRootfs createWithSnapshot(NamespacedSnapshots snapshots, String snapshotter, String key, String parent,
                                  Function<List<Mount>, ContainerRecord> make) {
        WithRootfs made = snapshots.prepare(CriNames.NAMESPACE, snapshotter, key, parent, Map.of(),
                (mounts, snapshotRecord) -> new WithRootfs(containers.create(CriNames.NAMESPACE, make.apply(mounts), snapshotRecord), mounts));
        ContainerRecord r = made.record();
        events.publish(CriNames.NAMESPACE, "/containers/create", ContainerCreate.newBuilder().setId(r.id()).setImage(r.image())
                .setRuntime(ContainerCreate.Runtime.newBuilder().setName(r.runtimeName())).build());
        return made;
    }

    /** A record just stored and the mounts of its rootfs snapshot. */
    record WithRootfs(ContainerRecord record, List<Mount> rootfs) {}

    /** Deletes a record and publishes /containers/delete. */
    void delete(String id) {
        containers.delete(CriNames.NAMESPACE, id);
        events.publish(CriNames.NAMESPACE, "/containers/delete", ContainerDelete.newBuilder().setId(id).build());
    }

    ContainerStore store() {
        return containers;
    }

    Optional<ContainerRecord> find(String id, String kind) {
        return containers.find(CriNames.NAMESPACE, id).filter(r -> kind.equals(r.labels().get(CriNames.KIND_LABEL)));
    }

    ContainerRecord get(String id, String kind) {
        return find(id, kind).orElseThrow(() -> JcdException.notFound("%s %s not found", kind.equals("sandbox") ? "pod sandbox" : "container", id));
    }

    List<ContainerRecord> all(String kind) {
        return containers.list(CriNames.NAMESPACE, io.jcontainerd.config.filters.Filter.ALWAYS).stream()
                .filter(r -> kind.equals(r.labels().get(CriNames.KIND_LABEL))).toList();
    }

    /**
     * Removes the record's rootfs snapshot and the record, both records deleted in one synced write; a snapshot
     * gone already is fine (the record alone goes). Publishes /containers/delete.
     */
    void deleteWithSnapshot(ContainerRecord r, NamespacedSnapshots snapshots) {
        try {
            snapshots.remove(CriNames.NAMESPACE, r.snapshotter(), r.snapshotKey(), snapshotRecord -> {
                containers.delete(CriNames.NAMESPACE, r.id(), snapshotRecord);
                return null;
            });
        } catch (JcdException e) {
            if (e.kind() != io.jcontainerd.config.errdefs.ErrorKind.NOT_FOUND || containers.find(CriNames.NAMESPACE, r.id()).isEmpty()) {
                throw e;
            }
            containers.delete(CriNames.NAMESPACE, r.id()); // its snapshot was gone already
        }
        events.publish(CriNames.NAMESPACE, "/containers/delete", ContainerDelete.newBuilder().setId(r.id()).build());
    }

    static <T extends Message> T config(ContainerRecord r, Parser<T> parser) {
        Opaque o = r.extensions().get(CriNames.CONFIG_EXTENSION);
        if (o == null) {
            throw JcdException.failedPrecondition("container %s has no CRI config: it was not made through the CRI", r.id());
        }
        try {
            return parser.parseFrom(o.value());
        } catch (InvalidProtocolBufferException e) {
            throw JcdException.failedPrecondition("container %s: its CRI config does not parse: %s", r.id(), e.getMessage());
        }
    }

    static <T> T state(ContainerRecord r, Class<T> type) {
        Opaque o = r.extensions().get(CriNames.STATE_EXTENSION);
        if (o == null) {
            throw JcdException.failedPrecondition("container %s has no CRI state: it was not made through the CRI", r.id());
        }
        return Json.read(o.value(), type);
    }

    static Map<String, Opaque> extensions(Message config, Object state) {
        Map<String, Opaque> ext = new HashMap<>();
        ext.put(CriNames.CONFIG_EXTENSION, new Opaque("type.googleapis.com/" + config.getDescriptorForType().getFullName(), config.toByteArray()));
        ext.put(CriNames.STATE_EXTENSION, stateOpaque(state));
        return ext;
    }

    private static Opaque stateOpaque(Object state) {
        return new Opaque("jcontainerd.io/cri/" + state.getClass().getSimpleName(), Json.write(state));
    }

    /** Replaces the state extension of container {@code r}. */
    void saveState(ContainerRecord r, Object state) {
        Map<String, Opaque> ext = new HashMap<>(r.extensions());
        ext.put(CriNames.STATE_EXTENSION, stateOpaque(state));
        containers.update(CriNames.NAMESPACE, new ContainerRecord(r.id(), r.labels(), r.image(), r.runtimeName(), r.runtimeOptions(), r.spec(),
                r.snapshotter(), r.snapshotKey(), ext, r.sandbox(), r.createdAt(), r.updatedAt()), List.of("extensions." + CriNames.STATE_EXTENSION));
    }

    /** Replaces the CRI config of container or sandbox {@code r}. */
    void saveConfig(ContainerRecord r, Message config) {
        Map<String, Opaque> ext = new HashMap<>(r.extensions());
        ext.put(CriNames.CONFIG_EXTENSION, new Opaque("type.googleapis.com/" + config.getDescriptorForType().getFullName(), config.toByteArray()));
        containers.update(CriNames.NAMESPACE, new ContainerRecord(r.id(), r.labels(), r.image(), r.runtimeName(), r.runtimeOptions(), r.spec(),
                r.snapshotter(), r.snapshotKey(), ext, r.sandbox(), r.createdAt(), r.updatedAt()), List.of("extensions." + CriNames.CONFIG_EXTENSION));
    }

    /** Replaces the OCI spec of container {@code r}. */
    void saveSpec(ContainerRecord r, byte[] spec) {
        containers.update(CriNames.NAMESPACE, new ContainerRecord(r.id(), r.labels(), r.image(), r.runtimeName(), r.runtimeOptions(),
                new Opaque(r.spec().typeUrl(), spec), r.snapshotter(), r.snapshotKey(), r.extensions(), r.sandbox(), r.createdAt(), r.updatedAt()),
                List.of("spec"));
    }

    static String newId() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    static long nanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
