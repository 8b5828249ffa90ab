package io.jcontainerd.supervisor.docker.containers;

import java.util.ArrayList;
import java.util.List;

/**
 * A container's health as inspect shows it in State.Health: starting, healthy or unhealthy,
 * the count of failed probes in a row, and the last five results.
 */
public record Health(String status, int failingStreak, List<Result> log) {
    public static final String STARTING = "starting";
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    /** dockerd keeps this many results. */
    public static final int MAX_LOG = 5;

    public Health {
        log = log == null ? List.of() : List.copyOf(log);
    }

    /** One probe: when it ran, its exit code (-1: it could not run or timed out) and its output (at most 4 KiB). */
    public record Result(String start, String end, int exitCode, String output) {
    }

    /** A change of status by one probe: the status before and after. */
    public record Transition(String before, String after) {
    }

    /** The state when a run starts: starting, no failures counted, the old results kept. */
    public Health restarted() {
        return new Health(STARTING, 0, log);
    }

    /**
     * The state after {@code r}, as dockerd judges it: 0 is healthy and resets the streak; a failure
     * counts unless the container is still starting inside its start period; {@code retries}
     * failures in a row make it unhealthy.
     */
    public Health after(Result r, int retries, boolean inStartPeriod) {
        List<Result> l = new ArrayList<>(log);
        l.add(r);
        while (l.size() > MAX_LOG) {
            l.removeFirst();
        }
        if (r.exitCode() == 0) {
            return new Health(HEALTHY, 0, l);
        }
        if (status.equals(STARTING) && inStartPeriod) {
            return new Health(status, failingStreak, l);
        }
        int streak = failingStreak + 1;
        return new Health(streak >= retries ? UNHEALTHY : status, streak, l);
    }
}
