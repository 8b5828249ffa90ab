package io.jcontainerd.supervisor.events;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.proto.AnyCodec;
import io.jcontainerd.config.filters.Filter;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The daemon's event bus, like containerd's events/exchange: publishers hand it events, every
 * subscriber whose filter matches gets them in one order, the same for all, also with concurrent
 * publishers. Subscribers see only what is published
 * after they subscribed, from all namespaces unless their filter says otherwise. A subscriber
 * that falls {@value #BACKLOG} events behind is cut off rather than slowing everyone down.
 */
public final class EventExchange {
    static final int BACKLOG = 8192;
    private static final Logger LOG = Logger.getLogger(EventExchange.class.getName());

    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
    /**
     * Held while one event is stamped and handed to every subscriber, so that concurrent publishers'
     * events reach all subscribers in one order, stamped in that order. Delivery only offers to
     * bounded queues: nothing blocks under it.
     */
    private final Object delivery = new Object();

    /** Publishes {@code payload} on {@code topic} in namespace {@code ns}, stamped now. */
    public void publish(String ns, String topic, Message payload) {
        publish(ns, topic, AnyCodec.pack(payload));
    }

    /** Publishes a payload that is already packed (Publish RPC). */
    public void publish(String ns, String topic, Any payload) {
        String t = validateTopic(topic);
        synchronized (delivery) {
            deliver(new Event(Instant.now(), ns, t, payload));
        }
    }

    /** Delivers an event as it is, timestamp included (Forward RPC, shims). */
    public void forward(Event event) {
        synchronized (delivery) {
            deliver(event);
        }
    }

    private void deliver(Event event) {
        for (Subscription s : subscriptions) {
            if (s.filter.matches(event::field) && !s.queue.offer(event)) {
                LOG.warning(() -> "event subscriber fell " + BACKLOG + " events behind; closing its stream");
                s.overflowed = true;
                subscriptions.remove(s);
            }
        }
    }

    public Subscription subscribe(Filter filter) {
        Subscription s = new Subscription(filter);
        subscriptions.add(s);
        return s;
    }

    int subscriberCount() {
        return subscriptions.size();
    }

    /** containerd's rule: a topic is "/"-separated identifiers, starting with "/". */
    static String validateTopic(String topic) {
        if (topic == null || !topic.startsWith("/") || topic.length() == 1) {
            throw JcdException.invalidArgument("topic %s must start with / and name at least one component, e.g. /tasks/exit",
                    topic == null ? "\"\"" : '"' + topic + '"');
        }
        for (String part : topic.substring(1).split("/", -1)) {
            if (!Identifiers.isValid(part)) {
                throw JcdException.invalidArgument("topic \"%s\": component \"%s\" must use %s", topic, part, Identifiers.RULE_TEXT);
            }
        }
        return topic;
    }

    /** One subscriber's queue; {@link #close} ends it. */
    public final class Subscription implements AutoCloseable {
        private final Filter filter;
        private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(BACKLOG);
        private volatile boolean overflowed;

        private Subscription(Filter filter) {
            this.filter = filter;
        }

        /** The next event, or null after {@code timeoutMillis}; throws once the subscriber was cut off. */
        public Event next(long timeoutMillis) throws InterruptedException {
            Event e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (e == null && overflowed) {
                throw JcdException.unavailable("event subscription fell %d events behind and was closed: subscribe again", BACKLOG);
            }
            return e;
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }
}
