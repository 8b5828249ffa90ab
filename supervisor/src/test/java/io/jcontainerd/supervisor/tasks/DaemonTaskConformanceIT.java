package io.jcontainerd.supervisor.tasks;

import io.grpc.Channel;
import io.jcontainerd.proto.conformance.ContainerdTaskConformance;
import io.jcontainerd.testsupport.RunningDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The task suite that proto runs against Debian's containerd 1.6 + runc (ContainerdTaskWireIT), run
 * against our daemon: the same Tasks calls (create, start, exec, pids, pause/resume, kill, wait,
 * delete, metrics, with stdio) must get the same statuses, exit codes, error codes and events.
 */
class DaemonTaskConformanceIT extends ContainerdTaskConformance {
    @RegisterExtension
    static final RunningDaemon DAEMON = new RunningDaemon();

    @Override
    protected Channel rawChannel() {
        return DAEMON.channel().raw();
    }

    /** jrunc's state directory of the suite's namespace stays after its last task, as runc's does. */
    @AfterAll
    static void removeJruncRoot() throws java.io.IOException {
        removeRuntimeRoot(java.nio.file.Path.of("/run/jrunc"));
    }
}
