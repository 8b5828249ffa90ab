package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mutated token server answers (seeded: {@code -Djcd.fuzz.seed=N} replays a run) either give a token
 * that fits an Authorization header and an expiry of 60 s..1 day, or are refused with a
 * {@link JcdException} saying why: never another exception, never a hang.
 */
class TokenResponseFuzzTest {
    private static final long SEED = Long.getLong("jcd.fuzz.seed", 13);
    private static final Duration BUDGET = Duration.ofSeconds(3);
    private static final String ALPHABET = "{}[]\":,\\/u0123456789-+.eE \r\n\t\u0000=~_\u00e9\ud800atokenxpires_in";

    @Test
    void everyMutationOfValidAnswersIsATokenOrAJcdException() {
        List<String> seeds = List.of(
                "{\"token\":\"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3MiOltdfQ.c2ln\",\"access_token\":\"eyJ\",\"expires_in\":300,\"issued_at\":\"2026-12-06T05:00:00Z\"}",
                "{\"access_token\":\"abc-._~+/==\",\"expires_in\":60}",
                "{\"token\":\"t\"}");
        int runs = assertTimeoutPreemptively(BUDGET.plusSeconds(20), () -> {
            Random r = new Random(SEED);
            long deadline = System.nanoTime() + BUDGET.toNanos();
            int n = 0;
            while (System.nanoTime() < deadline) {
                byte[] input = mutate(r, seeds.get(r.nextInt(seeds.size())));
                try {
                    TokenResponse t = TokenResponse.parse(input, "http://127.0.0.1:1/token", "repository lib/app");
                    assertThat(TokenResponse.isB64Token(t.token())).isTrue();
                    assertThat(t.expiresIn()).isBetween(Duration.ofSeconds(60), Duration.ofDays(1));
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1/")).header("Authorization", "Bearer " + t.token());
                } catch (JcdException e) {
                    assertThat(e.getMessage()).contains("token server http://127.0.0.1:1/token");
                } catch (Throwable t) {
                    fail("seed " + SEED + " run " + n + ": " + t + " for " + new String(input, StandardCharsets.UTF_8), t);
                }
                n++;
            }
            return n;
        });
        assertThat(runs).as("mutations tried in %s", BUDGET).isGreaterThan(1000);
    }

    private static byte[] mutate(Random r, String seed) {
        StringBuilder b = new StringBuilder(seed);
        for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length());
            switch (r.nextInt(6)) {
                case 0 -> { if (!b.isEmpty()) b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length()))); }
                case 1 -> b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(8)));
                case 3 -> b.insert(at, List.of("1e400", "-99999999999999999999", "9223372036854775807", "null", "[", "{\"token\":",
                        "\\r\\n", "\\u0000", "\"x\"").get(r.nextInt(9)));
                case 4 -> b.insert(at, "[".repeat(1 + r.nextInt(3000)));
                default -> b.setLength(at);
            }
        }
        byte[] out = b.toString().getBytes(StandardCharsets.UTF_8);
        return r.nextInt(50) == 0 ? java.util.Arrays.copyOf(out, TokenResponse.MAX_BYTES + 1) : out;
    }
}
