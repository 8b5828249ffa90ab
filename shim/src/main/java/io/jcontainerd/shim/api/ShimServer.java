package io.jcontainerd.shim.api;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.ttrpc.TtrpcServer;
import io.jcontainerd.proto.ttrpc.TtrpcService;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shim's ttrpc server on its unix socket (mode 0600: only root's supervisor talks to it), as
 * containerd's shims serve theirs: framed protobuf on the JDK's unix sockets, no HTTP/2 or netty to
 * load into every shim. Calls run on virtual threads (Wait blocks for as long as the process runs).
 */
public final class ShimServer {
    private final TtrpcServer server;

    private ShimServer(TtrpcServer server) {
        this.server = server;
    }

    public static ShimServer start(Path path, TtrpcService service) {
        try {
            return new ShimServer(TtrpcServer.start(path, List.of(service)));
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot serve the shim API on %s: %s", path, e.getMessage());
        }
    }

    public Path path() {
        return server.path();
    }

    /** Stops serving (running calls get {@code graceMillis}) and removes the socket. */
    public void stop(long graceMillis) {
        server.stop(graceMillis);
    }
}
