package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.config.HumanDuration;

import java.time.Duration;
import java.time.Instant;

/** How long ago an RFC 3339 time was, as docker ps says it ({@link HumanDuration}); "" for a time that does not parse. */
final class Durations {
    private Durations() {
    }

    static String human(String since, Instant now) {
        Instant t;
        try {
            t = Instant.parse(since);
        } catch (RuntimeException e) {
            return "";
        }
        return HumanDuration.of(Duration.between(t, now));
    }
}
