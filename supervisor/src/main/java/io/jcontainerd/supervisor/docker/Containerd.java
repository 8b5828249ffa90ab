package io.jcontainerd.supervisor.docker;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.stub.AbstractStub;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.diff.v1.DiffGrpc;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.proto.Namespaces;

/**
 * The facade's view of the daemon: the containerd services it uses, as a client, over the
 * daemon's in-process channel, every call in the facade's own namespace.
 */
public record Containerd(String namespace, Channel channel, ImagesGrpc.ImagesBlockingStub images,
                         ContentGrpc.ContentBlockingStub content, SnapshotsGrpc.SnapshotsBlockingStub snapshots,
                         LeasesGrpc.LeasesBlockingStub leases, ContainersGrpc.ContainersBlockingStub containers,
                         TasksGrpc.TasksBlockingStub tasks, PullGrpc.PullBlockingStub pull,
                         DiffGrpc.DiffBlockingStub diff) {

    public static Containerd on(Channel raw, String namespace) {
        Channel ch = ClientInterceptors.intercept(raw, Namespaces.namespaceInterceptor(namespace));
        return new Containerd(namespace, ch, ImagesGrpc.newBlockingStub(ch), ContentGrpc.newBlockingStub(ch),
                SnapshotsGrpc.newBlockingStub(ch), LeasesGrpc.newBlockingStub(ch), ContainersGrpc.newBlockingStub(ch),
                TasksGrpc.newBlockingStub(ch), PullGrpc.newBlockingStub(ch), DiffGrpc.newBlockingStub(ch));
    }

    /** {@code stub} with the calls made under lease {@code leaseId}. */
    public <S extends AbstractStub<S>> S leased(S stub, String leaseId) {
        return stub.withInterceptors(Namespaces.namespaceAndLeaseInterceptor(namespace, leaseId));
    }
}
