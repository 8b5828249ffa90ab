package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.SnapshotCommit;
import io.jcontainerd.api.events.SnapshotPrepare;
import io.jcontainerd.api.events.SnapshotRemove;
import io.jcontainerd.api.services.snapshots.v1.CleanupRequest;
import io.jcontainerd.api.services.snapshots.v1.CommitSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.Info;
import io.jcontainerd.api.services.snapshots.v1.Kind;
import io.jcontainerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.jcontainerd.api.services.snapshots.v1.ListSnapshotsResponse;
import io.jcontainerd.api.services.snapshots.v1.MountsRequest;
import io.jcontainerd.api.services.snapshots.v1.MountsResponse;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.PrepareSnapshotResponse;
import io.jcontainerd.api.services.snapshots.v1.RemoveSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotResponse;
import io.jcontainerd.api.services.snapshots.v1.UpdateSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.UpdateSnapshotResponse;
import io.jcontainerd.api.services.snapshots.v1.UsageRequest;
import io.jcontainerd.api.services.snapshots.v1.UsageResponse;
import io.jcontainerd.api.services.snapshots.v1.ViewSnapshotRequest;
import io.jcontainerd.api.services.snapshots.v1.ViewSnapshotResponse;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.snapshot.SnapshotInfo;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.snapshots.NamespacedSnapshots;

import java.util.ArrayList;
import java.util.List;

/** containerd.services.snapshots.v1.Snapshots over {@link NamespacedSnapshots}. */
public final class SnapshotsService extends SnapshotsGrpc.SnapshotsImplBase {
    private static final int LIST_BLOCK = 100;
    private final NamespacedSnapshots snapshots;
    private final EventExchange events;

    public SnapshotsService(NamespacedSnapshots snapshots, EventExchange events) {
        this.snapshots = snapshots;
        this.events = events;
    }

    @Override
    public void prepare(PrepareSnapshotRequest r, StreamObserver<PrepareSnapshotResponse> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            var mounts = snapshots.prepare(ns, r.getSnapshotter(), r.getKey(), r.getParent(), r.getLabelsMap(), RequestContext.lease());
            events.publish(ns, "/snapshot/prepare", SnapshotPrepare.newBuilder().setKey(r.getKey()).setParent(r.getParent())
                    .setSnapshotter(r.getSnapshotter()).build());
            return PrepareSnapshotResponse.newBuilder().addAllMounts(toProto(mounts)).build();
        });
    }

    @Override
    public void view(ViewSnapshotRequest r, StreamObserver<ViewSnapshotResponse> o) {
        Rpc.unary(o, () -> ViewSnapshotResponse.newBuilder().addAllMounts(toProto(snapshots.view(
                RequestContext.namespace(), r.getSnapshotter(), r.getKey(), r.getParent(), r.getLabelsMap(),
                RequestContext.lease()))).build());
    }

    @Override
    public void mounts(MountsRequest r, StreamObserver<MountsResponse> o) {
        Rpc.unary(o, () -> MountsResponse.newBuilder().addAllMounts(toProto(
                snapshots.mounts(RequestContext.namespace(), r.getSnapshotter(), r.getKey()))).build());
    }

    @Override
    public void commit(CommitSnapshotRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            snapshots.commit(ns, r.getSnapshotter(), r.getName(), r.getKey(), r.getLabelsMap(), RequestContext.lease());
            events.publish(ns, "/snapshot/commit", SnapshotCommit.newBuilder().setKey(r.getKey()).setName(r.getName())
                    .setSnapshotter(r.getSnapshotter()).build());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void remove(RemoveSnapshotRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            snapshots.remove(ns, r.getSnapshotter(), r.getKey());
            events.publish(ns, "/snapshot/remove", SnapshotRemove.newBuilder().setKey(r.getKey())
                    .setSnapshotter(r.getSnapshotter()).build());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void stat(StatSnapshotRequest r, StreamObserver<StatSnapshotResponse> o) {
        Rpc.unary(o, () -> StatSnapshotResponse.newBuilder().setInfo(toProto(
                snapshots.stat(RequestContext.namespace(), r.getSnapshotter(), r.getKey()))).build());
    }

    @Override
    public void update(UpdateSnapshotRequest r, StreamObserver<UpdateSnapshotResponse> o) {
        Rpc.unary(o, () -> {
            Info i = r.getInfo();
            SnapshotInfo in = new SnapshotInfo(i.getName(), i.getParent(), null, i.getLabelsMap(), null, null);
            return UpdateSnapshotResponse.newBuilder().setInfo(toProto(snapshots.update(RequestContext.namespace(),
                    r.getSnapshotter(), in, r.getUpdateMask().getPathsList()))).build();
        });
    }

    @Override
    public void list(ListSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> o) {
        List<Info> matched = new ArrayList<>();
        try {
            var filter = FilterParser.parseAll(r.getFiltersList());
            snapshots.walk(RequestContext.namespace(), r.getSnapshotter(), info -> {
                if (filter.matches(path -> NamespacedSnapshots.field(info, path))) {
                    matched.add(toProto(info));
                }
            });
        } catch (RuntimeException e) {
            o.onError(GrpcErrors.toStatus(e));
            return;
        }
        for (int i = 0; i < matched.size(); i += LIST_BLOCK) {
            o.onNext(ListSnapshotsResponse.newBuilder().addAllInfo(matched.subList(i, Math.min(matched.size(), i + LIST_BLOCK))).build());
        }
        o.onCompleted();
    }

    @Override
    public void usage(UsageRequest r, StreamObserver<UsageResponse> o) {
        Rpc.unary(o, () -> {
            var u = snapshots.usage(RequestContext.namespace(), r.getSnapshotter(), r.getKey());
            return UsageResponse.newBuilder().setSize(u.size()).setInodes(u.inodes()).build();
        });
    }

    @Override
    public void cleanup(CleanupRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            RequestContext.namespace();
            snapshots.cleanup(r.getSnapshotter());
            return Empty.getDefaultInstance();
        });
    }

    static List<Mount> toProto(List<io.jcontainerd.snapshot.Mount> mounts) {
        return mounts.stream().map(m -> Mount.newBuilder().setType(m.type()).setSource(m.source())
                .setTarget(m.target()).addAllOptions(m.options()).build()).toList();
    }

    private static Info toProto(SnapshotInfo s) {
        Info.Builder b = Info.newBuilder().setName(s.name()).setParent(s.parent()).putAllLabels(s.labels())
                .setKind(switch (s.kind()) {
                    case VIEW -> Kind.VIEW;
                    case ACTIVE -> Kind.ACTIVE;
                    case COMMITTED -> Kind.COMMITTED;
                });
        Timestamps.setIfKnown(s.created(), b::setCreatedAt);
        Timestamps.setIfKnown(s.updated(), b::setUpdatedAt);
        return b.build();
    }
}
