package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Config.Healthcheck as dockerd runs it: the probe's argv (CMD runs as given, CMD-SHELL through
 * {@code /bin/sh -c}), the interval between probes (30 s), each probe's timeout (30 s), the start
 * period in which failures do not count (0) and the failures in a row that make it unhealthy (3).
 */
public record HealthCheck(List<String> argv, Duration interval, Duration timeout, Duration startPeriod, int retries) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;
    /** dockerd's shortest interval, timeout and start period. */
    public static final Duration MINIMUM = Duration.ofMillis(1);

    /** The container's health check; empty without one or with {@code NONE}. */
    public static Optional<HealthCheck> of(ObjectNode config) {
        JsonNode h = config.path("Healthcheck");
        JsonNode test = h.path("Test");
        if (!test.isArray() || test.isEmpty()) {
            return Optional.empty();
        }
        String kind = test.get(0).asText();
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < test.size(); i++) {
            rest.add(test.get(i).asText());
        }
        List<String> argv = switch (kind) {
            case "NONE" -> List.of();
            case "CMD" -> rest;
            case "CMD-SHELL" -> List.of("/bin/sh", "-c", String.join(" ", rest));
            default -> List.of();
        };
        if (argv.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HealthCheck(argv, nanos(h, "Interval", DEFAULT_INTERVAL), nanos(h, "Timeout", DEFAULT_TIMEOUT),
                nanos(h, "StartPeriod", Duration.ZERO), h.path("Retries").asInt(0) > 0 ? h.path("Retries").asInt() : DEFAULT_RETRIES));
    }

    private static Duration nanos(JsonNode h, String field, Duration fallback) {
        long n = h.path(field).asLong(0);
        return n > 0 ? Duration.ofNanos(n) : fallback;
    }

    /**
     * Checks a create request's Healthcheck as dockerd does (a 400 naming the field): Test is NONE,
     * CMD with a command or CMD-SHELL with one; durations 0 or at least 1 ms; Retries not negative.
     */
    static void validate(JsonNode h) {
        if (h == null || h.isNull() || h.isMissingNode()) {
            return;
        }
        if (!h.isObject()) {
            throw DockerApiException.badRequest("Config.Healthcheck must be an object with Test, Interval, Timeout, StartPeriod, Retries");
        }
        JsonNode test = h.path("Test");
        if (test.isArray() && !test.isEmpty()) {
            String kind = test.get(0).asText();
            switch (kind) {
                case "NONE" -> {
                }
                case "CMD", "CMD-SHELL" -> {
                    if (test.size() < 2) {
                        throw DockerApiException.badRequest("Config.Healthcheck.Test %s needs a command after it", kind);
                    }
                }
                default -> throw DockerApiException.badRequest(
                        "Config.Healthcheck.Test must start with NONE, CMD or CMD-SHELL, not %s", kind);
            }
        }
        for (String f : List.of("Interval", "Timeout", "StartPeriod")) {
            long n = h.path(f).asLong(0);
            if (n != 0 && n < MINIMUM.toNanos()) {
                throw DockerApiException.badRequest("Config.Healthcheck.%s in the past or under 1ms: %d ns (give 0 for the default or at least 1ms)", f, n);
            }
        }
        if (h.path("Retries").asInt(0) < 0) {
            throw DockerApiException.badRequest("Config.Healthcheck.Retries should be at least 0");
        }
    }
}
