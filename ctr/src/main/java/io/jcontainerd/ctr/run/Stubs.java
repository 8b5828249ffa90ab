package io.jcontainerd.ctr.run;

import io.grpc.Channel;
import io.jcontainerd.api.services.containers.v1.ContainersGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.tasks.v1.TasksGrpc;
import io.jcontainerd.ctr.client.Connection;

/**
 * One connection, and the blocking stubs the task and container commands call on it, made as they are asked for:
 * {@code run}'s calls go on the wire ({@link RunWire}, {@link TaskWire}) and never make the channel the stubs need
 * (io.grpc's interceptors and {@code Metadata}, which start java.util.logging).
 */
public record Stubs(Connection connection) {

    public static Stubs on(Connection connection) {
        return new Stubs(connection);
    }

    public Channel channel() {
        return connection.channel();
    }

    public SnapshotsGrpc.SnapshotsBlockingStub snapshots() {
        return SnapshotsGrpc.newBlockingStub(channel());
    }

    public ContainersGrpc.ContainersBlockingStub containers() {
        return ContainersGrpc.newBlockingStub(channel());
    }

    public TasksGrpc.TasksBlockingStub tasks() {
        return TasksGrpc.newBlockingStub(channel());
    }
}
