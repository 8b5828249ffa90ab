package io.jcontainerd.runtime.spec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mutated config.json documents (seeded: {@code -Djcd.fuzz.seed=N} replays a run) either parse or are
 * refused with a {@link JsonSyntaxException} saying where: never another exception, never a hang.
 */
class JsonFuzzTest {
    private static final long SEED = Long.getLong("jcd.fuzz.seed", 13);
    private static final Duration BUDGET = Duration.ofSeconds(3);
    private static final String ALPHABET = "{}[]\":,\\/ubfnrt0123456789-+.eE \n\t\u0000\u001f\u00e9\ud800xyz";

    @Test
    void everyMutationOfValidDocumentsParsesOrIsAJsonSyntaxException() throws IOException {
        List<String> seeds = List.of(resource("fuzz/runc-spec-config.json"),
                "{\"a\": [1, -2, 18446744073709551615, 1.5e-3], \"s\": \"x\\\"\\n\\u00e9\\/\", \"t\": true, \"n\": null}",
                "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],\"rlimits\":[{\"hard\":0}]}}");
        int runs = assertTimeoutPreemptively(BUDGET.plusSeconds(20), () -> {
            Random r = new Random(SEED);
            long deadline = System.nanoTime() + BUDGET.toNanos();
            int n = 0;
            while (System.nanoTime() < deadline) {
                String input = mutate(r, seeds.get(r.nextInt(seeds.size())));
                try {
                    Json.parse(input);
                } catch (JsonSyntaxException e) {
                    assertThat(e.getMessage()).startsWith("invalid JSON: ").containsPattern("line \\d+ column \\d+|characters refused");
                } catch (Throwable t) {
                    fail("seed " + SEED + " run " + n + ": " + t + " for input " + abbreviate(input), t);
                }
                n++;
            }
            return n;
        });
        assertThat(runs).as("mutations tried in %s", BUDGET).isGreaterThan(1000);
    }

    /** One to four edits: replace, insert, delete or repeat a span, wrap in deep nesting, truncate. */
    static String mutate(Random r, String seed) {
        StringBuilder b = new StringBuilder(seed);
        for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length());
            switch (r.nextInt(7)) {
                case 0 -> { if (!b.isEmpty()) b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length()))); }
                case 1 -> b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(16)));
                case 3 -> {
                    int end = Math.min(b.length(), at + 1 + r.nextInt(64));
                    String span = b.substring(at, end);
                    for (int k = r.nextInt(8); k > 0 && b.length() < 1 << 16; k--) b.insert(at, span);
                }
                case 4 -> { String open = r.nextBoolean() ? "[" : "{\"k\":"; b.insert(at, open.repeat(1 + r.nextInt(2000))); }
                case 5 -> b.insert(at, "9".repeat(1 + r.nextInt(1000)));
                default -> b.setLength(at);
            }
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " characters)";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JsonFuzzTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
