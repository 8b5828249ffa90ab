package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.leases.v1.AddResourceRequest;
import io.jcontainerd.api.services.leases.v1.CreateRequest;
import io.jcontainerd.api.services.leases.v1.CreateResponse;
import io.jcontainerd.api.services.leases.v1.DeleteRequest;
import io.jcontainerd.api.services.leases.v1.DeleteResourceRequest;
import io.jcontainerd.api.services.leases.v1.Lease;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.leases.v1.ListRequest;
import io.jcontainerd.api.services.leases.v1.ListResourcesRequest;
import io.jcontainerd.api.services.leases.v1.ListResourcesResponse;
import io.jcontainerd.api.services.leases.v1.ListResponse;
import io.jcontainerd.api.services.leases.v1.Resource;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.gc.GarbageCollector;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.leases.LeaseRecord;
import io.jcontainerd.supervisor.leases.LeaseResource;
import io.jcontainerd.supervisor.leases.LeaseStore;

/** containerd.services.leases.v1.Leases over {@link LeaseStore}; Delete with sync collects garbage before answering. */
public final class LeasesService extends LeasesGrpc.LeasesImplBase {
    private final LeaseStore store;
    private final GarbageCollector gc;

    public LeasesService(LeaseStore store, GarbageCollector gc) {
        this.store = store;
        this.gc = gc;
    }

    @Override
    public void create(CreateRequest req, StreamObserver<CreateResponse> observer) {
        Rpc.unary(observer, () -> CreateResponse.newBuilder()
                .setLease(toProto(store.create(RequestContext.namespace(), req.getId(), req.getLabelsMap()))).build());
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            String ns = RequestContext.namespace();
            var released = store.delete(ns, req.getId());
            if (req.getSync()) {
                gc.collect();
            } else {
                gc.scheduleSoonAfterRelease(ns, released);
            }
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void list(ListRequest req, StreamObserver<ListResponse> observer) {
        Rpc.unary(observer, () -> {
            ListResponse.Builder b = ListResponse.newBuilder();
            store.list(RequestContext.namespace(), FilterParser.parseAll(req.getFiltersList())).forEach(l -> b.addLeases(toProto(l)));
            return b.build();
        });
    }

    @Override
    public void addResource(AddResourceRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            store.addResource(RequestContext.namespace(), req.getId(), resource(req.getResource()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void deleteResource(DeleteResourceRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            store.deleteResource(RequestContext.namespace(), req.getId(), resource(req.getResource()));
            gc.scheduleSoon();
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void listResources(ListResourcesRequest req, StreamObserver<ListResourcesResponse> observer) {
        Rpc.unary(observer, () -> {
            ListResourcesResponse.Builder b = ListResourcesResponse.newBuilder();
            store.listResources(RequestContext.namespace(), req.getId())
                    .forEach(r -> b.addResources(Resource.newBuilder().setType(r.type()).setId(r.id())));
            return b.build();
        });
    }

    private static LeaseResource resource(Resource r) {
        return new LeaseResource(r.getType(), r.getId());
    }

    private static Lease toProto(LeaseRecord l) {
        Lease.Builder b = Lease.newBuilder().setId(l.id()).putAllLabels(l.labels());
        Timestamps.setIfKnown(l.createdAt(), b::setCreatedAt);
        return b.build();
    }
}
