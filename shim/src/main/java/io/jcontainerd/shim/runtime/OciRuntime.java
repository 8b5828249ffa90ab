package io.jcontainerd.shim.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The OCI runtime operations the shim needs, named after runc's commands. Processes a call starts
 * (the container's init, an exec) become children of the shim, which reaps them; the pid is read
 * from {@code pidFile}.
 */
public interface OciRuntime {

    /** The runtime's own stdio for the container process: fds for 0, 1 and 2. */
    record Stdio(int stdin, int stdout, int stderr) {
        public int[] fds() {
            return new int[] {stdin, stdout, stderr};
        }
    }

    void create(String id, Path bundle, Path pidFile, Optional<Path> consoleSocket, Stdio stdio);

    void start(String id);

    void kill(String id, int signal, boolean all);

    void delete(String id, boolean force);

    void pause(String id);

    void resume(String id);

    /** Pids of every process in the container. */
    List<Integer> ps(String id);

    /** Starts {@code processJson} (an OCI Process) inside the running container, detached. */
    void exec(String id, Path processJson, Path pidFile, Optional<Path> consoleSocket, Stdio stdio);

    /** Applies {@code resourcesJson} (OCI LinuxResources). */
    void update(String id, Path resourcesJson);

    /** The runtime's statistics for the container, as its {@code events --stats} JSON. */
    String stats(String id);
}
