package io.jcontainerd.content.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently to retry transient failures (connection refused or reset, 5xx, 429).
 *
 * @param maxAttempts attempts per request, the first included
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(3));
    }

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    /** Exponential backoff with jitter before attempt number {@code attempt} (2 = first retry). */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 2));
        long capped = Math.min(base, maxBackoff.toMillis());
        long jitter = capped <= 1 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
        return Duration.ofMillis(capped - capped / 8 + jitter);
    }
}
