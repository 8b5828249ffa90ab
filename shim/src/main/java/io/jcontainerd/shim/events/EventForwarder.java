package io.jcontainerd.shim.events;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.AnyTypes;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.proto.ttrpc.TtrpcClient;
import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.proto.ttrpc.TtrpcException;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Sends events to the supervisor's ttrpc socket ({@link TtrpcEvents}: {@code Events/Forward}, as
 * containerd's shims do), in order, one at a time, retrying each until the supervisor takes it: a
 * supervisor that is down or restarting gets the events once it is back (the exit status is also on
 * disk, for the case that the shim does not live that long). The connection is made on the first
 * event, not at start-up, and made again after it broke. Each event travels under the namespace of
 * the task it is about ({@link #sink}): a shim's tasks may be of several namespaces.
 */
public final class EventForwarder implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Path eventsSocket;
    private final LinkedBlockingQueue<Envelope> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile TtrpcClient connection;
    private volatile boolean closed;
    private volatile boolean idle = true;

    /** @param daemonSocket the supervisor's gRPC socket; events go to the ttrpc socket beside it */
    public EventForwarder(Path daemonSocket) {
        this.eventsSocket = TtrpcEvents.socketFor(daemonSocket);
        this.sender = Thread.ofVirtual().name("events").start(this::sendLoop);
    }

    /** Where the events of a task of {@code namespace} go. */
    public EventSink sink(String namespace) {
        return (topic, event) -> publish(namespace, topic, event);
    }

    private void publish(String namespace, String topic, Message event) {
        queue.add(Envelope.newBuilder()
                .setTimestamp(Timestamps.toTimestamp(Instant.now()))
                .setNamespace(namespace)
                .setTopic(topic)
                .setEvent(AnyTypes.pack(event))
                .build());
    }

    /** Waits up to {@code timeout} for every queued event to be delivered; false if some were not. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(queue.isEmpty() && idle) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return queue.isEmpty() && idle;
    }

    private void sendLoop() {
        while (!closed) {
            Envelope envelope;
            try {
                envelope = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            idle = false;
            Duration backoff = Duration.ofMillis(100);
            while (!closed && !forward(envelope)) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
            idle = true;
        }
    }

    private boolean forward(Envelope envelope) {
        try {
            connection().call(TtrpcEvents.SERVICE, TtrpcEvents.FORWARD, ForwardRequest.newBuilder().setEnvelope(envelope).build(),
                    Empty.parser(), CALL_TIMEOUT);
            return true;
        } catch (TtrpcException | JcdException e) {
            TtrpcClient c = connection;
            if (c != null && !c.isOpen()) {
                connection = null;
            }
            return false;
        }
    }

    private TtrpcClient connection() {
        TtrpcClient c = connection;
        if (c == null) {
            c = TtrpcClient.connect(eventsSocket);
            connection = c;
        }
        return c;
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        TtrpcClient c = connection;
        if (c != null) {
            c.close();
        }
    }
}
