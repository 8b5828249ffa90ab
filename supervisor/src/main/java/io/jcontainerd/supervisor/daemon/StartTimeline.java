package io.jcontainerd.supervisor.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the daemon's start spent its time on, step by step, for the "serving" log line: the launcher's
 * and the JVM's own start (from the time bin/jcontainerd passes as {@code -Djcd.launched}, bash's
 * {@code $EPOCHREALTIME}; without it, from the process's start time, which Linux gives to the second
 * only) and then each step's wall time in ms, marked as it ends. Where Linux gives the thread's
 * scheduler statistics ({@code /proc/thread-self/schedstat}), each step also says how much of it the
 * marking thread spent on a CPU and how much waiting for one (the rest it was blocked: I/O, a lock,
 * a class another thread was initialising); the first step's figures are the thread's since it began
 * (the JVM's own start runs on it).
 */
public final class StartTimeline {
    private final long origin = System.nanoTime();
    private final long jvmMillis;
    private final List<String> steps = new ArrayList<>();
    private final Path schedstat;
    private final String jvmSched;
    private long last = origin;
    private long[] lastSched;

    private StartTimeline(long jvmMillis, Path schedstat) {
        this.jvmMillis = jvmMillis;
        this.schedstat = schedstat;
        this.lastSched = schedstat(schedstat);
        this.jvmSched = lastSched == null ? "" : sched(lastSched[0], lastSched[1]);
    }

    /** A timeline whose origin is now, with the time since the process started as its first step. */
    public static StartTimeline sinceProcessStart() {
        return since(Path.of("/proc/thread-self/schedstat"));
    }

    /** As {@link #sinceProcessStart()}, reading the marking thread's scheduler statistics from {@code schedstat}. */
    static StartTimeline since(Path schedstat) {
        Instant now = Instant.now();
        return new StartTimeline(launched(System.getProperty("jcd.launched"))
                .or(() -> ProcessHandle.current().info().startInstant())
                .map(s -> Duration.between(s, now).toMillis()).orElse(-1L), schedstat);
    }

    /**
     * {@code schedstat}'s first two numbers (ns on a CPU, ns waiting on a run queue), or null if the
     * file is missing or not two numbers (read as one short line: nothing else is trusted).
     */
    static long[] schedstat(Path file) {
        try {
            if (Files.size(file) > 256) {
                return null;
            }
            String[] f = Files.readString(file).trim().split(" ");
            return f.length < 2 ? null : new long[]{Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String sched(long runNanos, long waitNanos) {
        return " [cpu " + runNanos / 1_000_000 + ", queued " + waitNanos / 1_000_000 + "]";
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
        long[] sched = schedstat(schedstat);
        String s = sched == null || lastSched == null ? "" : sched(sched[0] - lastSched[0], sched[1] - lastSched[1]);
        steps.add(name + " " + (now - last) / 1_000_000 + s);
        last = now;
        lastSched = sched;
    }

    /** Milliseconds since the process started (or since this timeline's origin if the start time is unknown). */
    public synchronized long totalMillis() {
        return Math.max(jvmMillis, 0) + (last - origin) / 1_000_000;
    }

    @Override
    public synchronized String toString() {
        return "launcher and JVM start " + (jvmMillis < 0 ? "?" : jvmMillis) + jvmSched + ", " + String.join(", ", steps) + " (ms" + (jvmSched.isEmpty() ? "" : "; [on a CPU, waiting for one] by the main thread") + ")";
    }
}
