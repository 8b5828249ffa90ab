package io.jcontainerd.supervisor.tasks;

import java.time.Instant;

/**
 * A task's process (init or exec) as a shim reports it.
 *
 * @param id       the container id for init, the exec id for an exec
 * @param exitedAt null while it runs
 */
public record ProcessState(String id, int pid, Status status, String stdin, String stdout, String stderr,
                           boolean terminal, int exitStatus, Instant exitedAt) {

    /** containerd.v1.types.Status, in the same order. */
    public enum Status { UNKNOWN, CREATED, RUNNING, STOPPED, PAUSED, PAUSING }
}
