package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.snapshot.Mount;

import java.util.List;

/**
 * What a client asks for when it creates a task (CreateTaskRequest), in our own terms.
 *
 * @param runtimeOptions the request's options Any (type URL and bytes), or null
 */
public record TaskSpec(String containerId, List<Mount> rootfs, String stdin, String stdout, String stderr,
                       boolean terminal, RuntimeOptions runtimeOptions) {
    public TaskSpec {
        rootfs = List.copyOf(rootfs);
        stdin = stdin == null ? "" : stdin;
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }
}
