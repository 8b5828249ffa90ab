package io.jcontainerd.supervisor.leases;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/** Lease ids the server picks when a client sends none: {@code <unix nanos>-<4 random characters>}, as containerd's clients make them. */
final class LeaseIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private LeaseIds() {
    }

    static String generate(Instant now) {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        // base64url of 3 bytes is 4 characters without padding; '-' and '_' are kept out so the id stays an identifier.
        String suffix = Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'a').replace('_', 'b');
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return nanos + "-" + suffix;
    }
}
