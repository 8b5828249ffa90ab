package io.jcontainerd.supervisor.docker.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Predicate;

/**
 * The daemon's events: the last {@value #KEPT} kept for {@code since}, and every subscriber's
 * own bounded queue. A subscriber that does not keep up loses its subscription (its stream ends)
 * rather than slowing the daemon or growing without bound.
 */
public final class EventBus {
    /** How many past events are kept (dockerd keeps 256). */
    public static final int KEPT = 1024;
    private static final int QUEUE = 4096;
    private final ArrayDeque<DockerEvent> recent = new ArrayDeque<>();
    private final Set<Subscription> subscribers = new CopyOnWriteArraySet<>();

    /** One client's stream of events. */
    public final class Subscription implements AutoCloseable {
        final BlockingQueue<DockerEvent> queue = new ArrayBlockingQueue<>(QUEUE);
        final Predicate<DockerEvent> filter;
        volatile boolean overflowed;

        Subscription(Predicate<DockerEvent> filter) {
            this.filter = filter;
        }

        /** The next event, or null after {@code millis}. */
        public DockerEvent poll(long millis) throws InterruptedException {
            return queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** True when events were dropped because the client read too slowly. */
        public boolean overflowed() {
            return overflowed;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }

    public void publish(DockerEvent e) {
        synchronized (recent) {
            recent.addLast(e);
            while (recent.size() > KEPT) {
                recent.removeFirst();
            }
            for (Subscription s : subscribers) {
                if (s.filter.test(e) && !s.queue.offer(e)) {
                    s.overflowed = true;
                    subscribers.remove(s);
                }
            }
        }
    }

    /**
     * Subscribes to what {@code filter} lets through; the kept events from {@code sinceNano}
     * on (none when negative) are returned with it, so nothing falls between the two.
     */
    public Subscription subscribe(Predicate<DockerEvent> filter, long sinceNano, List<DockerEvent> past) {
        synchronized (recent) {
            if (sinceNano >= 0) {
                for (DockerEvent e : recent) {
                    if (e.timeNano() >= sinceNano && filter.test(e)) {
                        past.add(e);
                    }
                }
            }
            Subscription s = new Subscription(filter);
            subscribers.add(s);
            return s;
        }
    }

    public int listeners() {
        return subscribers.size();
    }

    /** The kept events (for tests and {@code since} without a stream). */
    public List<DockerEvent> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }
}
