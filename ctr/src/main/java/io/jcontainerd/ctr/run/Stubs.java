package io.jcontainerd.ctr.run;

import io.grpc.Channel;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;

/** The blocking stubs run and tasks use, on one connection. */
public record Stubs(Channel channel, ContentGrpc.ContentBlockingStub content,
                    SnapshotsGrpc.SnapshotsBlockingStub snapshots, LeasesGrpc.LeasesBlockingStub leases,
                    ContainersGrpc.ContainersBlockingStub containers, TasksGrpc.TasksBlockingStub tasks) {

    public static Stubs on(Channel ch) {
        return new Stubs(ch, ContentGrpc.newBlockingStub(ch),
                SnapshotsGrpc.newBlockingStub(ch), LeasesGrpc.newBlockingStub(ch), ContainersGrpc.newBlockingStub(ch),
                TasksGrpc.newBlockingStub(ch));
    }

    public TasksGrpc.TasksStub asyncTasks() {
        return TasksGrpc.newStub(channel);
    }
}
