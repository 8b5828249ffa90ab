package io.jcontainerd.supervisor.services;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.diff.v1.ApplyRequest;
import io.jcontainerd.api.services.diff.v1.ApplyResponse;
import io.jcontainerd.api.services.diff.v1.DiffGrpc;
import io.jcontainerd.api.services.diff.v1.DiffRequest;
import io.jcontainerd.api.services.diff.v1.DiffResponse;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.Applied;
import io.jcontainerd.supervisor.diff.LayerApply;
import io.jcontainerd.supervisor.diff.LayerDiff;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;

import java.util.List;

/** containerd.services.diff.v1.Diff: Apply over {@link LayerApply}, Diff over {@link LayerDiff}. */
public final class DiffService extends DiffGrpc.DiffImplBase {
    private final LayerApply apply;
    private final LayerDiff diff;

    public DiffService(LayerApply apply, LayerDiff diff) {
        this.apply = apply;
        this.diff = diff;
    }

    @Override
    public void apply(ApplyRequest r, StreamObserver<ApplyResponse> o) {
        Rpc.unary(o, () -> {
            Applied a = apply.apply(RequestContext.namespace(), r.getDiff().getMediaType(),
                    Digest.parse(r.getDiff().getDigest()), fromProto(r.getMountsList()));
            return ApplyResponse.newBuilder().setApplied(Descriptor.newBuilder()
                    .setMediaType(LayerApply.APPLIED_MEDIA_TYPE).setDigest(a.digest()).setSize(a.size())).build();
        });
    }

    @Override
    public void diff(DiffRequest r, StreamObserver<DiffResponse> o) {
        Rpc.unary(o, () -> {
            LayerDiff.Written w = diff.diff(RequestContext.namespace(), fromProto(r.getLeftList()), fromProto(r.getRightList()),
                    r.getMediaType(), r.getRef(), r.getLabelsMap(), RequestContext.lease());
            return DiffResponse.newBuilder().setDiff(Descriptor.newBuilder().setMediaType(w.mediaType())
                    .setDigest(w.digest().toString()).setSize(w.size())
                    .putAnnotations(LayerDiff.UNCOMPRESSED_LABEL, w.diffId())).build();
        });
    }

    static List<Mount> fromProto(List<io.jcontainerd.api.types.Mount> mounts) {
        return mounts.stream().map(m -> new Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList();
    }
}
