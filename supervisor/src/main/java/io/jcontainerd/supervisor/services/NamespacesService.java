package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.NamespaceCreate;
import io.jcontainerd.api.events.NamespaceDelete;
import io.jcontainerd.api.events.NamespaceUpdate;
import io.jcontainerd.api.services.namespaces.v1.CreateNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.CreateNamespaceResponse;
import io.jcontainerd.api.services.namespaces.v1.DeleteNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.GetNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.GetNamespaceResponse;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesResponse;
import io.jcontainerd.api.services.namespaces.v1.Namespace;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.api.services.namespaces.v1.UpdateNamespaceRequest;
import io.jcontainerd.api.services.namespaces.v1.UpdateNamespaceResponse;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.metadata.NamespaceRecord;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.util.List;
import java.util.Optional;

/** containerd.services.namespaces.v1.Namespaces over {@link NamespaceStore}. */
public final class NamespacesService extends NamespacesGrpc.NamespacesImplBase {
    private final NamespaceStore store;
    private final EventExchange events;

    public NamespacesService(NamespaceStore store, EventExchange events) {
        this.store = store;
        this.events = events;
    }

    @Override
    public void get(GetNamespaceRequest req, StreamObserver<GetNamespaceResponse> observer) {
        Rpc.unary(observer, () -> GetNamespaceResponse.newBuilder().setNamespace(toProto(store.get(req.getName()))).build());
    }

    @Override
    public void list(ListNamespacesRequest req, StreamObserver<ListNamespacesResponse> observer) {
        Rpc.unary(observer, () -> {
            var filter = FilterParser.parse(req.getFilter());
            var b = ListNamespacesResponse.newBuilder();
            store.list().stream()
                    .filter(n -> filter.matches(path -> field(n, path)))
                    .forEach(n -> b.addNamespaces(toProto(n)));
            return b.build();
        });
    }

    @Override
    public void create(CreateNamespaceRequest req, StreamObserver<CreateNamespaceResponse> observer) {
        Rpc.unary(observer, () -> {
            NamespaceRecord n = store.create(req.getNamespace().getName(), req.getNamespace().getLabelsMap());
            events.publish(n.name(), "/namespaces/create", NamespaceCreate.newBuilder().setName(n.name()).putAllLabels(n.labels()).build());
            return CreateNamespaceResponse.newBuilder().setNamespace(toProto(n)).build();
        });
    }

    @Override
    public void update(UpdateNamespaceRequest req, StreamObserver<UpdateNamespaceResponse> observer) {
        Rpc.unary(observer, () -> {
            NamespaceRecord n = store.update(req.getNamespace().getName(), req.getNamespace().getLabelsMap(),
                    req.getUpdateMask().getPathsList());
            events.publish(n.name(), "/namespaces/update", NamespaceUpdate.newBuilder().setName(n.name()).putAllLabels(n.labels()).build());
            return UpdateNamespaceResponse.newBuilder().setNamespace(toProto(n)).build();
        });
    }

    @Override
    public void delete(DeleteNamespaceRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            store.delete(req.getName());
            events.publish(req.getName(), "/namespaces/delete", NamespaceDelete.newBuilder().setName(req.getName()).build());
            return Empty.getDefaultInstance();
        });
    }

    private static Namespace toProto(NamespaceRecord n) {
        return Namespace.newBuilder().setName(n.name()).putAllLabels(n.labels()).build();
    }

    private static Optional<String> field(NamespaceRecord n, List<String> path) {
        if (path.size() == 1 && path.getFirst().equals("name")) {
            return Optional.of(n.name());
        }
        if (path.size() == 2 && path.getFirst().equals("labels")) {
            return Optional.ofNullable(n.labels().get(path.get(1)));
        }
        return Optional.empty();
    }
}
