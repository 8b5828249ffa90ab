package io.jcontainerd.supervisor.metrics;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.supervisor.events.Event;
import io.jcontainerd.supervisor.events.EventExchange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Task and snapshot metrics from the daemon's events (what the shims forward and the services
 * publish): {@code jcontainerd_tasks_started_total}, {@code jcontainerd_tasks_exited_total{exit_status}},
 * {@code jcontainerd_tasks_running} (started minus init exits since the daemon started) and
 * {@code jcontainerd_snapshot_operations_total{op}}. One virtual thread reads a subscription; a
 * subscription cut off for falling behind is replaced.
 */
public final class EventMetrics implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventMetrics.class.getName());

    private final EventExchange events;
    private final MeterRegistry registry;
    private final Counter started;
    private final AtomicInteger running = new AtomicInteger();
    private final Thread reader;
    private volatile boolean closed;

    public EventMetrics(EventExchange events, MeterRegistry registry) {
        this.events = events;
        this.registry = registry;
        this.started = Counter.builder("jcontainerd.tasks.started").description("tasks started (init processes)").register(registry);
        Gauge.builder("jcontainerd.tasks.running", running, AtomicInteger::get)
                .description("tasks started and not exited since the daemon started").register(registry);
        this.reader = Thread.ofVirtual().name("event-metrics").start(this::read);
    }

    private void read() {
        while (!closed) {
            try (EventExchange.Subscription s = events.subscribe(Filter.ALWAYS)) {
                while (!closed) {
                    Event e = s.next(500);
                    if (e != null) record(e);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.fine(() -> "event metrics resubscribe: " + e.getMessage());
            }
        }
    }

    void record(Event e) {
        switch (e.topic()) {
            case "/tasks/start" -> {
                started.increment();
                running.incrementAndGet();
            }
            case "/tasks/exit" -> {
                TaskExit exit;
                try {
                    exit = TaskExit.parseFrom(e.payload().getValue());
                } catch (InvalidProtocolBufferException ex) {
                    return;
                }
                registry.counter("jcontainerd.tasks.exited", "exit_status", Integer.toUnsignedString(exit.getExitStatus())).increment();
                if (exit.getId().equals(exit.getContainerId())) {
                    running.updateAndGet(n -> Math.max(0, n - 1));
                }
            }
            case "/snapshot/prepare", "/snapshot/commit", "/snapshot/remove" ->
                    registry.counter("jcontainerd.snapshot.operations", "op", e.topic().substring("/snapshot/".length())).increment();
            default -> { }
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }
}
