package io.jcontainerd.supervisor.services;

import io.grpc.Channel;
import io.jcontainerd.proto.conformance.ContainerdApiConformance;
import io.jcontainerd.testsupport.RunningDaemon;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conformance suite that proto runs against Debian's real containerd 1.6, run against our
 * daemon: the same client calls must get the same answers, every case of it.
 */
class DaemonConformanceIT extends ContainerdApiConformance {
    @RegisterExtension
    static final RunningDaemon DAEMON = new RunningDaemon();

    @Override
    protected Channel rawChannel() {
        return DAEMON.channel().raw();
    }
}
