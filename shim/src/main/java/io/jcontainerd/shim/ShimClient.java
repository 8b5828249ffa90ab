package io.jcontainerd.shim;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jcontainerd.api.shim.v1.CloseIORequest;
import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.ConnectResponse;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.CreateTaskResponse;
import io.jcontainerd.api.shim.v1.DeleteRequest;
import io.jcontainerd.api.shim.v1.DeleteResponse;
import io.jcontainerd.api.shim.v1.ExecProcessRequest;
import io.jcontainerd.api.shim.v1.KillRequest;
import io.jcontainerd.api.shim.v1.PauseRequest;
import io.jcontainerd.api.shim.v1.PidsRequest;
import io.jcontainerd.api.shim.v1.PidsResponse;
import io.jcontainerd.api.shim.v1.ResizePtyRequest;
import io.jcontainerd.api.shim.v1.ResumeRequest;
import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import io.jcontainerd.api.shim.v1.StartResponse;
import io.jcontainerd.api.shim.v1.StateRequest;
import io.jcontainerd.api.shim.v1.StateResponse;
import io.jcontainerd.api.shim.v1.StatsRequest;
import io.jcontainerd.api.shim.v1.StatsResponse;
import io.jcontainerd.api.shim.v1.UpdateTaskRequest;
import io.jcontainerd.api.shim.v1.WaitRequest;
import io.jcontainerd.api.shim.v1.WaitResponse;
import io.jcontainerd.proto.ttrpc.TtrpcClient;
import io.jcontainerd.shim.api.ShimService;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A connection to one shim's socket (ttrpc), for the supervisor: one method per Shim API call,
 * blocking, safe to call from many threads at once. An error the shim answered comes as the
 * {@link io.jcontainerd.config.errdefs.JcdException} of its kind; a shim that cannot be reached or
 * went away mid-call as {@link io.jcontainerd.proto.ttrpc.TtrpcException}.
 */
public final class ShimClient implements AutoCloseable {
    private final TtrpcClient connection;
    private final Duration timeout;

    private ShimClient(TtrpcClient connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    /** Connects now; a {@link io.jcontainerd.proto.ttrpc.TtrpcException} if nothing answers on {@code socket}. */
    public static ShimClient connect(Path socket) {
        return new ShimClient(TtrpcClient.connect(socket), null);
    }

    /** Connects to the shim whose address is recorded in {@code bundle} ({@code shim.address}). */
    public static ShimClient forBundle(Path bundle) {
        return connect(ShimFiles.address(bundle));
    }

    /** The same connection, whose calls give up after {@code limit} (DEADLINE_EXCEEDED); closing either closes both. */
    public ShimClient withTimeout(Duration limit) {
        return new ShimClient(connection, limit);
    }

    public Path socket() {
        return connection.socket();
    }

    /** Whether the connection still stands: false once the shim closed it or it broke. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    public CreateTaskResponse create(CreateTaskRequest request) {
        return call("Create", request, CreateTaskResponse.parser());
    }

    public StartResponse start(StartRequest request) {
        return call("Start", request, StartResponse.parser());
    }

    public StateResponse state(StateRequest request) {
        return call("State", request, StateResponse.parser());
    }

    public DeleteResponse delete(DeleteRequest request) {
        return call("Delete", request, DeleteResponse.parser());
    }

    public PidsResponse pids(PidsRequest request) {
        return call("Pids", request, PidsResponse.parser());
    }

    public Empty pause(PauseRequest request) {
        return call("Pause", request, Empty.parser());
    }

    public Empty resume(ResumeRequest request) {
        return call("Resume", request, Empty.parser());
    }

    public Empty kill(KillRequest request) {
        return call("Kill", request, Empty.parser());
    }

    public Empty exec(ExecProcessRequest request) {
        return call("Exec", request, Empty.parser());
    }

    public Empty resizePty(ResizePtyRequest request) {
        return call("ResizePty", request, Empty.parser());
    }

    public Empty closeIO(CloseIORequest request) {
        return call("CloseIO", request, Empty.parser());
    }

    public Empty update(UpdateTaskRequest request) {
        return call("Update", request, Empty.parser());
    }

    public WaitResponse wait(WaitRequest request) {
        return call("Wait", request, WaitResponse.parser());
    }

    public StatsResponse stats(StatsRequest request) {
        return call("Stats", request, StatsResponse.parser());
    }

    public ConnectResponse connect(ConnectRequest request) {
        return call("Connect", request, ConnectResponse.parser());
    }

    public Empty shutdown(ShutdownRequest request) {
        return call("Shutdown", request, Empty.parser());
    }

    private <R extends Message> R call(String method, Message request, Parser<R> parser) {
        return connection.call(ShimService.NAME, method, request, parser, timeout);
    }

    @Override
    public void close() {
        connection.close();
    }
}
