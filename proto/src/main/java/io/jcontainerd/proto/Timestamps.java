package io.jcontainerd.proto;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link Instant} to and from {@code google.protobuf.Timestamp}, with containerd's notion of
 * "unset". Go clients of containerd 1.6 always send their timestamps, and an unset one arrives as
 * Go's zero time, 0001-01-01T00:00:00Z ({@link #GO_ZERO_SECONDS}). On the way out an unset time
 * must be omitted, not sent as {0, 0}: Go decodes an absent field as its zero time but {0, 0} as
 * 1970-01-01.
 */
public final class Timestamps {

    /** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) relative to the Unix epoch. */
    public static final long GO_ZERO_SECONDS = -62135596800L;

    private Timestamps() {}

    /**
     * The instant a timestamp carries, or empty when it means "unset": Go's zero time (or
     * anything earlier), and {0, 0}, which is what protobuf-java returns for an absent field.
     */
    public static Optional<Instant> toInstant(Timestamp timestamp) {
        if (timestamp == null || isUnset(timestamp)) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
    }

    /** True for the values {@link #toInstant} treats as unset. */
    public static boolean isUnset(Timestamp timestamp) {
        long seconds = timestamp.getSeconds();
        int nanos = timestamp.getNanos();
        return seconds < GO_ZERO_SECONDS
                || (seconds == GO_ZERO_SECONDS && nanos == 0)
                || (seconds == 0 && nanos == 0);
    }

    /** The timestamp of a known instant. */
    public static Timestamp toTimestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    /**
     * Sets a response field only when the instant is known, e.g.
     * {@code Timestamps.setIfKnown(exitedAt, process::setExitedAt)}; null leaves it absent.
     */
    public static void setIfKnown(Instant instantOrNull, Consumer<Timestamp> setter) {
        if (instantOrNull != null) {
            setter.accept(toTimestamp(instantOrNull));
        }
    }
}
