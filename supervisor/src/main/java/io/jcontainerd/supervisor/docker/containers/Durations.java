package io.jcontainerd.supervisor.docker.containers;

import java.time.Duration;
import java.time.Instant;

/** Docker's human durations (go-units HumanDuration): "Less than a second", "3 seconds", "About a minute", "2 hours". */
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
        return human(Duration.between(t, now));
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return "Less than a second";
        } else if (s == 1) {
            return "1 second";
        } else if (s < 60) {
            return s + " seconds";
        }
        long m = d.toMinutes();
        if (m == 1) {
            return "About a minute";
        } else if (m < 60) {
            return m + " minutes";
        }
        long h = Math.round(d.toMinutes() / 60.0);
        if (h == 1) {
            return "About an hour";
        } else if (h < 48) {
            return h + " hours";
        } else if (h < 24 * 7 * 2) {
            return h / 24 + " days";
        } else if (h < 24 * 30 * 2) {
            return h / 24 / 7 + " weeks";
        } else if (h < 24 * 365 * 2) {
            return h / 24 / 30 + " months";
        }
        return h / 24 / 365 + " years";
    }
}
