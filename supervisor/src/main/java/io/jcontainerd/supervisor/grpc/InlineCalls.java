package io.jcontainerd.supervisor.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;

import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Where a call of the daemon's socket runs: the few reads listed here on the netty event loop that read
 * the request, every other call on a virtual thread of its own. A call handed to another thread costs
 * two wake-ups (the carrier that runs it, then the event loop that writes its answer); on a loaded
 * machine each is a wait for a CPU. The listed reads are a RocksDB get and a decode (cached for records
 * read again), take no lock that a write holds across I/O, and wait for nothing, as handlers on an event
 * loop must; Content/Read reads a blob on the event loop only if the range is small (a manifest, a config:
 * ContentReadStream), a layer's on virtual threads. A `ctr run --rm` makes 26 of them (Content/Info x10,
 * Content/Read x10, Containers/Get x3, Namespaces/Get x2, Images/Get), and the shim's event forwards four more.
 *
 * <p>The server's own executor is direct, so grpc-java looks the method up on the event loop and asks
 * {@link #getExecutor} there; an unlisted call switches to {@code others} before any interceptor or
 * handler runs. A service served before it is ready ({@link WhenReady}) must not be listed: its calls
 * wait for it.
 */
public final class InlineCalls implements ServerCallExecutorSupplier {
    /** containerd's reads that answer from the metadata store (and small blobs), and the shims' event forwards. */
    public static final Set<String> CONTAINERD_READS = Set.of(
            "containerd.services.containers.v1.Containers/Get",
            "containerd.services.content.v1.Content/Info",
            "containerd.services.content.v1.Content/Read",
            "containerd.services.images.v1.Images/Get",
            "containerd.services.namespaces.v1.Namespaces/Get",
            "containerd.services.events.v1.Events/Forward");

    private final Set<String> inline;
    private final Executor others;

    /**
     * @param inline full method names ({@code service/method}) run on the event loop
     * @param others where every other call runs
     */
    public InlineCalls(Set<String> inline, Executor others) {
        this.inline = Set.copyOf(inline);
        this.others = others;
    }

    /** The server's executor: grpc-java runs a call's method lookup on it, then the call where {@link #getExecutor} says. */
    static final Executor DIRECT = Runnable::run;

    @Override
    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return inline.contains(call.getMethodDescriptor().getFullMethodName()) ? null : others;
    }
}
