package io.jcontainerd.supervisor.docker.events;

import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /events}: one JSON object per line, chunked; {@code since} replays the kept events
 * from then, {@code until} ends the stream then (at once if it is past), without it the stream
 * runs until the client leaves.
 */
public final class EventRoutes {
    private final EventBus bus;

    public EventRoutes(EventBus bus) {
        this.bus = bus;
    }

    public void register(Router r) {
        r.add("GET", "/events", this::events);
    }

    void events(Request q, Exchange x) throws InterruptedException {
        EventFilters filters = EventFilters.parse(q.query("filters", ""));
        long since = nanos(q, "since", -1);
        long until = nanos(q, "until", Long.MAX_VALUE);
        long now = Instant.now().getEpochSecond() * 1_000_000_000L + Instant.now().getNano();
        if (since > now) {
            throw DockerApiException.badRequest("since (%s) is in the future", q.query("since", ""));
        }
        List<DockerEvent> past = new ArrayList<>();
        try (EventBus.Subscription sub = bus.subscribe(filters, since, past)) {
            Exchange.Chunked out = x.chunked("application/json");
            for (DockerEvent e : past) {
                if (e.timeNano() > until || !send(out, e)) {
                    out.end();
                    return;
                }
            }
            while (out.open()) {
                long left = until == Long.MAX_VALUE ? 1000 : Math.min(1000, (until - nowNanos()) / 1_000_000);
                if (left <= 0) {
                    break;
                }
                DockerEvent e = sub.poll(left);
                if (e != null && (e.timeNano() > until || !send(out, e))) {
                    break;
                }
                if (e == null && sub.overflowed()) {
                    break;
                }
            }
            out.end();
        }
    }

    private static boolean send(Exchange.Chunked out, DockerEvent e) {
        return out.write((e.json().toString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static long nowNanos() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** since/until: Unix seconds with an optional fraction (what the CLI sends), or RFC 3339. */
    static long nanos(Request q, String name, long fallback) {
        String v = q.query(name, "");
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return new BigDecimal(v).movePointRight(9).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            try {
                Instant t = Instant.parse(v);
                return t.getEpochSecond() * 1_000_000_000L + t.getNano();
            } catch (RuntimeException r) {
                throw DockerApiException.badRequest("invalid value for %s: %s (Unix seconds or RFC 3339)", name, v);
            }
        }
    }
}
