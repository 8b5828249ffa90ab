package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.ImageCreate;
import io.jcontainerd.api.events.ImageDelete;
import io.jcontainerd.api.events.ImageUpdate;
import io.jcontainerd.api.services.images.v1.CreateImageRequest;
import io.jcontainerd.api.services.images.v1.CreateImageResponse;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageResponse;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.images.v1.ListImagesRequest;
import io.jcontainerd.api.services.images.v1.ListImagesResponse;
import io.jcontainerd.api.services.images.v1.UpdateImageRequest;
import io.jcontainerd.api.services.images.v1.UpdateImageResponse;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.gc.GarbageCollector;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.images.ImageRecord;
import io.jcontainerd.supervisor.images.ImageStore;
import io.jcontainerd.supervisor.images.ImageTarget;

import java.util.Optional;

/** containerd.services.images.v1.Images over {@link ImageStore}; Delete with sync collects garbage before answering. */
public final class ImagesService extends ImagesGrpc.ImagesImplBase {
    private final ImageStore store;
    private final GarbageCollector gc;
    private final EventExchange events;

    public ImagesService(ImageStore store, GarbageCollector gc, EventExchange events) {
        this.store = store;
        this.gc = gc;
        this.events = events;
    }

    @Override
    public void get(GetImageRequest req, StreamObserver<GetImageResponse> observer) {
        Rpc.unary(observer, () -> GetImageResponse.newBuilder()
                .setImage(toProto(store.get(RequestContext.namespace(), req.getName()))).build());
    }

    @Override
    public void list(ListImagesRequest req, StreamObserver<ListImagesResponse> observer) {
        Rpc.unary(observer, () -> {
            ListImagesResponse.Builder b = ListImagesResponse.newBuilder();
            store.list(RequestContext.namespace(), FilterParser.parseAll(req.getFiltersList())).forEach(i -> b.addImages(toProto(i)));
            return b.build();
        });
    }

    @Override
    public void create(CreateImageRequest req, StreamObserver<CreateImageResponse> observer) {
        Rpc.unary(observer, () -> {
            String ns = RequestContext.namespace();
            Image in = req.getImage();
            ImageRecord r = store.create(ns, in.getName(), in.getLabelsMap(), target(in.getTarget()));
            events.publish(ns, "/images/create", ImageCreate.newBuilder().setName(r.name()).putAllLabels(r.labels()).build());
            return CreateImageResponse.newBuilder().setImage(toProto(r)).build();
        });
    }

    @Override
    public void update(UpdateImageRequest req, StreamObserver<UpdateImageResponse> observer) {
        Rpc.unary(observer, () -> {
            String ns = RequestContext.namespace();
            Image in = req.getImage();
            ImageRecord r = store.update(ns, in.getName(), in.getLabelsMap(), target(in.getTarget()),
                    req.getUpdateMask().getPathsList());
            events.publish(ns, "/images/update", ImageUpdate.newBuilder().setName(r.name()).putAllLabels(r.labels()).build());
            return UpdateImageResponse.newBuilder().setImage(toProto(r)).build();
        });
    }

    @Override
    public void delete(DeleteImageRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            String ns = RequestContext.namespace();
            Optional<String> expected = req.hasTarget() ? Optional.of(req.getTarget().getDigest()) : Optional.empty();
            store.delete(ns, req.getName(), expected);
            events.publish(ns, "/images/delete", ImageDelete.newBuilder().setName(req.getName()).build());
            if (req.getSync()) {
                gc.collect();
            } else {
                gc.scheduleSoon();
            }
            return Empty.getDefaultInstance();
        });
    }

    private static ImageTarget target(Descriptor d) {
        return new ImageTarget(d.getMediaType(), d.getDigest(), d.getSize(), d.getAnnotationsMap());
    }

    static Image toProto(ImageRecord r) {
        ImageTarget t = r.target();
        Image.Builder b = Image.newBuilder().setName(r.name()).putAllLabels(r.labels())
                .setTarget(Descriptor.newBuilder().setMediaType(t.mediaType()).setDigest(t.digest()).setSize(t.size())
                        .putAllAnnotations(t.annotations()));
        Timestamps.setIfKnown(r.createdAt(), b::setCreatedAt);
        Timestamps.setIfKnown(r.updatedAt(), b::setUpdatedAt);
        return b.build();
    }
}
