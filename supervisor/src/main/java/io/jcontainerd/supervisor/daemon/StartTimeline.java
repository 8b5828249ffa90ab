package io.jcontainerd.supervisor.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the daemon's start spent its time on, step by step, for the "serving" log line: the launcher's
 * and the JVM's own start (from the time bin/jcontainerd passes as {@code -Djcd.launched}, bash's
 * {@code $EPOCHREALTIME}; without it, from the process's start time, which Linux gives to the second
 * only) and then each step's wall time in ms, marked as it ends.
 */
public final class StartTimeline {
    private final long origin = System.nanoTime();
    private final long jvmMillis;
    private final List<String> steps = new ArrayList<>();
    private long last = origin;

    private StartTimeline(long jvmMillis) {
        this.jvmMillis = jvmMillis;
    }

    /** A timeline whose origin is now, with the time since the process started as its first step. */
    public static StartTimeline sinceProcessStart() {
        Instant now = Instant.now();
        return new StartTimeline(launched(System.getProperty("jcd.launched"))
                .or(() -> ProcessHandle.current().info().startInstant())
                .map(s -> Duration.between(s, now).toMillis()).orElse(-1L));
    }

    /** {@code $EPOCHREALTIME}: seconds since the epoch, a decimal point (or comma, by locale) and microseconds. */
    static Optional<Instant> launched(String epochRealTime) {
        if (epochRealTime == null || epochRealTime.length() > 32) {
            return Optional.empty();
        }
        String[] parts = epochRealTime.split("[.,]", 2);
        try {
            long seconds = Long.parseLong(parts[0]);
            long micros = parts.length == 2 ? Long.parseLong((parts[1] + "000000").substring(0, 6)) : 0;
            return Optional.of(Instant.ofEpochSecond(seconds, micros * 1000));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Ends the step named {@code name} now. */
    public synchronized void mark(String name) {
        long now = System.nanoTime();
        steps.add(name + " " + (now - last) / 1_000_000);
        last = now;
    }

    /** Milliseconds since the process started (or since this timeline's origin if the start time is unknown). */
    public synchronized long totalMillis() {
        return Math.max(jvmMillis, 0) + (last - origin) / 1_000_000;
    }

    @Override
    public synchronized String toString() {
        return "launcher and JVM start " + (jvmMillis < 0 ? "?" : jvmMillis) + ", " + String.join(", ", steps) + " (ms)";
    }
}
