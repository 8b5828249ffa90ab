package io.jcontainerd.supervisor.events;

import com.google.protobuf.Empty;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.proto.ttrpc.TtrpcServer;
import io.jcontainerd.proto.ttrpc.TtrpcService;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where shims hand the daemon their events: containerd's {@code Events/Forward} over ttrpc on the
 * socket beside the gRPC one ({@link TtrpcEvents#socketFor}, mode 0600), as containerd serves its
 * shims on {@code containerd.sock.ttrpc}. A forwarded event goes onto the exchange as it came.
 */
public final class ShimEventsEndpoint implements AutoCloseable {
    private final TtrpcServer server;

    private ShimEventsEndpoint(TtrpcServer server) {
        this.server = server;
    }

    /** Serves on {@code socket}, which the caller made sure nobody else serves. */
    public static ShimEventsEndpoint start(Path socket, EventExchange exchange) {
        TtrpcService events = new TtrpcService(TtrpcEvents.SERVICE).unary(TtrpcEvents.FORWARD, ForwardRequest.parser(),
                (request, call) -> {
                    exchange.forward(Event.forwarded(request.getEnvelope()));
                    return Empty.getDefaultInstance();
                });
        try {
            return new ShimEventsEndpoint(TtrpcServer.start(socket, List.of(events)));
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot serve the shims' events on %s: %s", socket, e.getMessage());
        }
    }

    public Path socket() {
        return server.path();
    }

    @Override
    public void close() {
        server.stop(1000);
    }
}
