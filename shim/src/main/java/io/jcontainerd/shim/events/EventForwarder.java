package io.jcontainerd.shim.events;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.proto.Namespaces;
import io.jcontainerd.proto.Timestamps;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends events to the supervisor with {@code containerd.services.events.v1.Events/Forward}, in
 * order, one at a time, retrying each until the supervisor takes it: a supervisor that is down or
 * restarting gets the events once it is back (the exit status is also on disk, for the case that
 * the shim does not live that long). The channel is opened on the first event, not at start-up.
 * Each event travels under the namespace of the task it is about ({@link #sink}): a shim's tasks
 * may be of several namespaces.
 */
public final class EventForwarder implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Path daemonSocket;
    private final EventLoopGroup group;
    private final LinkedBlockingQueue<Envelope> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile ManagedChannel channel;
    private volatile boolean closed;

    public EventForwarder(Path daemonSocket, EventLoopGroup group) {
        this.daemonSocket = daemonSocket;
        this.group = group;
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
                .setEvent(AnyCodec.pack(event))
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

    private volatile boolean idle = true;

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
            EventsGrpc.newBlockingStub(channel())
                    .withInterceptors(Namespaces.namespaceInterceptor(envelope.getNamespace()))
                    .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forward(ForwardRequest.newBuilder().setEnvelope(envelope).build());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private ManagedChannel channel() {
        ManagedChannel c = channel;
        if (c == null) {
            c = NettyChannelBuilder.forAddress(new DomainSocketAddress(daemonSocket.toString()))
                    .channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(group)
                    .usePlaintext()
                    .build();
            channel = c;
        }
        return c;
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        ManagedChannel c = channel;
        if (c != null) {
            c.shutdownNow();
        }
    }
}
