package io.jcontainerd.ctr.run;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.proto.Namespaces;

/** The blocking stubs run and tasks use, on one connection. */
public record Stubs(Channel channel, ImagesGrpc.ImagesBlockingStub images, ContentGrpc.ContentBlockingStub content,
                    SnapshotsGrpc.SnapshotsBlockingStub snapshots, LeasesGrpc.LeasesBlockingStub leases,
                    ContainersGrpc.ContainersBlockingStub containers, TasksGrpc.TasksBlockingStub tasks) {

    public static Stubs on(Channel ch) {
        return new Stubs(ch, ImagesGrpc.newBlockingStub(ch), ContentGrpc.newBlockingStub(ch),
                SnapshotsGrpc.newBlockingStub(ch), LeasesGrpc.newBlockingStub(ch), ContainersGrpc.newBlockingStub(ch),
                TasksGrpc.newBlockingStub(ch));
    }

    public TasksGrpc.TasksStub asyncTasks() {
        return TasksGrpc.newStub(channel);
    }

    /** {@code stub} sending the lease header, so what its calls create is held by the lease. */
    static <S extends AbstractStub<S>> S leased(S stub, String leaseId) {
        Metadata h = new Metadata();
        h.put(Namespaces.LEASE_HEADER, leaseId);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    }
}
