package io.jcontainerd.shim;

import com.google.protobuf.Empty;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.proto.ttrpc.TtrpcServer;
import io.jcontainerd.proto.ttrpc.TtrpcService;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's side of the shims' events: Events/Forward over ttrpc on the socket beside
 * {@code daemonSocket} (where a shim given {@code --address daemonSocket} sends them), recording every
 * envelope a shim forwards.
 */
final class RecordingEventsServer implements AutoCloseable {
    final LinkedBlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final TtrpcServer server;

    RecordingEventsServer(Path daemonSocket) throws Exception {
        server = TtrpcServer.start(TtrpcEvents.socketFor(daemonSocket), List.of(new TtrpcService(TtrpcEvents.SERVICE)
                .unary(TtrpcEvents.FORWARD, ForwardRequest.parser(), (request, call) -> {
                    received.add(request.getEnvelope());
                    return Empty.getDefaultInstance();
                })));
    }

    Envelope next(long seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
