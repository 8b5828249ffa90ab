package io.jcontainerd.supervisor.docker.containers;

/**
 * A container's State as docker inspect shows it; kept in the daemon's metadata with the container.
 *
 * @param status created, running, paused, restarting, removing, exited or dead
 */
public record ContainerState(String status, boolean running, boolean paused, boolean restarting, boolean oomKilled,
                             boolean dead, long pid, int exitCode, String error, String startedAt, String finishedAt) {
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    public static ContainerState created() {
        return new ContainerState("created", false, false, false, false, false, 0, 0, "", ZERO_TIME, ZERO_TIME);
    }

    public ContainerState started(long pid, String at) {
        return new ContainerState("running", true, false, false, false, false, pid, 0, "", at, finishedAt);
    }

    public ContainerState exited(int code, String at, String err) {
        return new ContainerState("exited", false, false, false, false, false, 0, code, err, startedAt, at);
    }

    /** Waiting for a restart policy's delay: the last run's exit code and end are kept. */
    public ContainerState toRestarting() {
        return new ContainerState("restarting", false, false, true, oomKilled, false, 0, exitCode, "", startedAt, finishedAt);
    }

    public ContainerState paused(boolean p) {
        return new ContainerState(p ? "paused" : "running", running, p, restarting, oomKilled, dead, pid, exitCode, error, startedAt, finishedAt);
    }

    /** What docker ps prints in STATUS: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
    public String describe(java.time.Instant now) {
        return switch (status) {
            case "running" -> "Up " + Durations.human(startedAt, now);
            case "paused" -> "Up " + Durations.human(startedAt, now) + " (Paused)";
            case "exited" -> "Exited (" + exitCode + ") " + Durations.human(finishedAt, now) + " ago";
            case "created" -> "Created";
            case "restarting" -> "Restarting (" + exitCode + ") " + Durations.human(finishedAt, now) + " ago";
            case "dead" -> "Dead";
            default -> status;
        };
    }
}
