package io.jcontainerd.config;

import java.time.Duration;

/**
 * A duration as people read it, the way go-units' HumanDuration prints one (docker ps's "Up 3
 * seconds", "Exited (0) About a minute ago"; ctr content ls's AGE): "Less than a second",
 * "1 second", "42 seconds", "About a minute", "59 minutes", "About an hour", "30 hours", "3 days",
 * "5 weeks", "4 months", "2 years". A negative duration reads as "Less than a second".
 */
public final class HumanDuration {
    private HumanDuration() {
    }

    public static String of(Duration d) {
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
