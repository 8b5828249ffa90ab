package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The streaming server's single-use tokens, as kubelet's and containerd's request cache: each
 * Exec, Attach or PortForward call stores its request under a random token (128 bits) that the
 * URL carries; the first HTTP request presenting it takes it (a second one finds nothing), and an
 * unused token expires after {@link #TTL}. At most {@link #MAX_IN_FLIGHT} wait at once.
 */
final class StreamTokens<T> {
    /** containerd's (and kubelet's) token lifetime. */
    static final Duration TTL = Duration.ofMinutes(1);
    /** kubelet's bound on requests waiting for their client. */
    static final int MAX_IN_FLIGHT = 1000;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Entry<T>> entries = new LinkedHashMap<>();

    private record Entry<T>(T request, Instant expires) {
    }

    StreamTokens(Clock clock) {
        this.clock = clock;
    }

    /** Stores {@code request}; its token, URL-safe. */
    synchronized String put(T request) {
        Instant now = clock.instant();
        evictExpired(now);
        if (entries.size() >= MAX_IN_FLIGHT) {
            throw JcdException.unavailable("the streaming server holds %d unused exec/attach/port-forward URLs (each lives %d s): "
                    + "use some or retry when they expire", MAX_IN_FLIGHT, TTL.toSeconds());
        }
        byte[] b = new byte[16];
        random.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        entries.put(token, new Entry<>(request, now.plus(TTL)));
        return token;
    }

    /** The request stored under {@code token}, removed; empty if unknown, used or expired. */
    synchronized Optional<T> take(String token) {
        Instant now = clock.instant();
        evictExpired(now);
        Entry<T> e = entries.remove(token);
        return e == null ? Optional.empty() : Optional.of(e.request());
    }

    synchronized int size() {
        return entries.size();
    }

    private void evictExpired(Instant now) {
        // insertion order is expiry order (one TTL for all)
        for (Iterator<Entry<T>> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().expires().isAfter(now)) {
                break;
            }
            it.remove();
        }
    }
}
