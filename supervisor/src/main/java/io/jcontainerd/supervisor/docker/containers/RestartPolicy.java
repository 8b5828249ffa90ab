package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.time.Duration;

/**
 * HostConfig.RestartPolicy with dockerd's rules: {@code no}, {@code on-failure[:N]} (a non-zero
 * exit, at most N restarts when N &gt; 0), {@code always} and {@code unless-stopped}; a container
 * stopped or killed by a client is not restarted (at the next daemon start {@code always} brings
 * it back, {@code unless-stopped} does not).
 */
public record RestartPolicy(String name, int maximumRetryCount) {
    /** The first delay before a restart; it doubles with each restart up to {@link #MAX_DELAY}. */
    public static final Duration FIRST_DELAY = Duration.ofMillis(100);
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /** A run at least this long resets the delay to {@link #FIRST_DELAY}. */
    public static final Duration RESET_AFTER = Duration.ofSeconds(10);

    /** The policy of a HostConfig.RestartPolicy object; a missing one is {@code no}. */
    public static RestartPolicy of(JsonNode n) {
        String name = n == null ? "" : n.path("Name").asText("");
        int max = n == null ? 0 : n.path("MaximumRetryCount").asInt(0);
        return new RestartPolicy(name.isEmpty() ? "no" : name, max);
    }

    /** Checks a create request's policy as dockerd does; a bad one is a 400 saying what to use. */
    public static RestartPolicy validated(JsonNode n, boolean autoRemove) {
        RestartPolicy p = of(n);
        switch (p.name) {
            case "no", "always", "unless-stopped" -> {
                if (p.maximumRetryCount != 0) {
                    throw DockerApiException.badRequest("invalid restart policy: maximum retry count can only be used with 'on-failure'");
                }
            }
            case "on-failure" -> {
                if (p.maximumRetryCount < 0) {
                    throw DockerApiException.badRequest("invalid restart policy: maximum retry count cannot be negative");
                }
            }
            default -> throw DockerApiException.badRequest("invalid restart policy: unknown policy '%s'; use one of "
                    + "'no', 'always', 'unless-stopped', or 'on-failure'", p.name);
        }
        if (autoRemove && !p.name.equals("no")) {
            throw DockerApiException.badRequest("conflicting options: cannot specify both --restart and --rm");
        }
        return p;
    }

    public boolean none() {
        return name.equals("no");
    }

    /**
     * Whether a run that ended with {@code exitCode} is restarted: never after a client's stop or kill;
     * {@code restarts} is how often it was restarted already.
     */
    public boolean restartsAfter(int exitCode, boolean manuallyStopped, int restarts) {
        if (manuallyStopped) {
            return false;
        }
        return switch (name) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (maximumRetryCount == 0 || restarts < maximumRetryCount);
            default -> false;
        };
    }

    /** Whether a container that is not running is started when the daemon starts. */
    public boolean restartsAtDaemonStart(int exitCode, boolean manuallyStopped, int restarts) {
        return switch (name) {
            case "always" -> true;
            case "unless-stopped" -> !manuallyStopped;
            case "on-failure" -> !manuallyStopped && restartsAfter(exitCode, false, restarts);
            default -> false;
        };
    }

    /** The delay before the next restart: the previous one doubled (the first after {@code previous} null), reset after a long run. */
    public static Duration nextDelay(Duration previous, Duration ranFor) {
        if (previous == null || ranFor.compareTo(RESET_AFTER) >= 0) {
            return FIRST_DELAY;
        }
        Duration d = previous.multipliedBy(2);
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }
}
