package io.jcontainerd.supervisor.tasks;

import java.time.Instant;

/** How a process ended: its pid, exit status (128+signal for a signal) and when. */
public record Exit(int pid, int status, Instant at) {
}
