package io.jcontainerd.shim.events;

import com.google.protobuf.Message;

/** Where the shim's task events go (the supervisor's Events service). */
public interface EventSink {

    /** Queues {@code event} under {@code topic}; never blocks and never fails. */
    void publish(String topic, Message event);
}
