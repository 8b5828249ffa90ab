package io.jcontainerd.supervisor.services;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.ContainerCreate;
import io.jcontainerd.api.events.ContainerDelete;
import io.jcontainerd.api.events.ContainerUpdate;
import io.jcontainerd.api.services.containers.v1.Container;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.containers.v1.CreateContainerRequest;
import io.jcontainerd.api.services.containers.v1.CreateContainerResponse;
import io.jcontainerd.api.services.containers.v1.DeleteContainerRequest;
import io.jcontainerd.api.services.containers.v1.GetContainerRequest;
import io.jcontainerd.api.services.containers.v1.GetContainerResponse;
import io.jcontainerd.api.services.containers.v1.ListContainerMessage;
import io.jcontainerd.api.services.containers.v1.ListContainersRequest;
import io.jcontainerd.api.services.containers.v1.ListContainersResponse;
import io.jcontainerd.api.services.containers.v1.UpdateContainerRequest;
import io.jcontainerd.api.services.containers.v1.UpdateContainerResponse;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.supervisor.containers.ContainerRecord;
import io.jcontainerd.supervisor.containers.ContainerStore;
import io.jcontainerd.supervisor.containers.Opaque;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** containerd.services.containers.v1.Containers over {@link ContainerStore}. */
public final class ContainersService extends ContainersGrpc.ContainersImplBase {
    private final ContainerStore store;
    private final EventExchange events;

    public ContainersService(ContainerStore store, EventExchange events) {
        this.store = store;
        this.events = events;
    }

    @Override
    public void get(GetContainerRequest r, StreamObserver<GetContainerResponse> o) {
        Rpc.unary(o, () -> GetContainerResponse.newBuilder()
                .setContainer(toProto(store.get(RequestContext.namespace(), r.getId()))).build());
    }

    @Override
    public void list(ListContainersRequest r, StreamObserver<ListContainersResponse> o) {
        Rpc.unary(o, () -> ListContainersResponse.newBuilder().addAllContainers(
                store.list(RequestContext.namespace(), FilterParser.parseAll(r.getFiltersList())).stream()
                        .map(ContainersService::toProto).toList()).build());
    }

    @Override
    public void listStream(ListContainersRequest r, StreamObserver<ListContainerMessage> o) {
        List<ContainerRecord> all;
        try {
            all = store.list(RequestContext.namespace(), FilterParser.parseAll(r.getFiltersList()));
        } catch (RuntimeException e) {
            o.onError(GrpcErrors.toStatus(e));
            return;
        }
        all.forEach(c -> o.onNext(ListContainerMessage.newBuilder().setContainer(toProto(c)).build()));
        o.onCompleted();
    }

    @Override
    public void create(CreateContainerRequest r, StreamObserver<CreateContainerResponse> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            ContainerRecord c = store.create(ns, fromProto(r.getContainer()));
            events.publish(ns, "/containers/create", ContainerCreate.newBuilder().setId(c.id()).setImage(c.image())
                    .setRuntime(ContainerCreate.Runtime.newBuilder().setName(c.runtimeName()).setOptions(any(c.runtimeOptions())))
                    .build());
            return CreateContainerResponse.newBuilder().setContainer(toProto(c)).build();
        });
    }

    @Override
    public void update(UpdateContainerRequest r, StreamObserver<UpdateContainerResponse> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            ContainerRecord c = store.update(ns, fromProto(r.getContainer()), r.getUpdateMask().getPathsList());
            events.publish(ns, "/containers/update", ContainerUpdate.newBuilder().setId(c.id()).setImage(c.image())
                    .putAllLabels(c.labels()).setSnapshotKey(c.snapshotKey()).build());
            return UpdateContainerResponse.newBuilder().setContainer(toProto(c)).build();
        });
    }

    @Override
    public void delete(DeleteContainerRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            String ns = RequestContext.namespace();
            store.delete(ns, r.getId());
            events.publish(ns, "/containers/delete", ContainerDelete.newBuilder().setId(r.getId()).build());
            return Empty.getDefaultInstance();
        });
    }

    static ContainerRecord fromProto(Container c) {
        Map<String, Opaque> ext = new HashMap<>();
        c.getExtensionsMap().forEach((k, v) -> ext.put(k, opaque(v)));
        return new ContainerRecord(c.getId(), c.getLabelsMap(), c.getImage(), c.getRuntime().getName(),
                c.getRuntime().hasOptions() ? opaque(c.getRuntime().getOptions()) : null,
                c.hasSpec() ? opaque(c.getSpec()) : null, c.getSnapshotter(), c.getSnapshotKey(), ext, c.getSandbox(),
                null, null);
    }

    static Container toProto(ContainerRecord c) {
        Container.Runtime.Builder runtime = Container.Runtime.newBuilder().setName(c.runtimeName());
        if (!c.runtimeOptions().isEmpty()) {
            runtime.setOptions(any(c.runtimeOptions()));
        }
        Container.Builder b = Container.newBuilder().setId(c.id()).putAllLabels(c.labels()).setImage(c.image())
                .setRuntime(runtime).setSpec(any(c.spec())).setSnapshotter(c.snapshotter())
                .setSnapshotKey(c.snapshotKey()).setSandbox(c.sandbox());
        c.extensions().forEach((k, v) -> b.putExtensions(k, any(v)));
        Timestamps.setIfKnown(c.createdAt(), b::setCreatedAt);
        Timestamps.setIfKnown(c.updatedAt(), b::setUpdatedAt);
        return b.build();
    }

    private static Opaque opaque(Any a) {
        return new Opaque(a.getTypeUrl(), a.getValue().toByteArray());
    }

    private static Any any(Opaque o) {
        return Any.newBuilder().setTypeUrl(o.typeUrl()).setValue(ByteString.copyFrom(o.value())).build();
    }
}
