package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** The task suite against Debian's real containerd 1.6 + runc, through our own .proto files. */
class ContainerdTaskWireIT extends ContainerdTaskConformance {

    @RegisterExtension
    static final RealContainerdExtension CONTAINERD = new RealContainerdExtension();

    @Override
    protected Channel rawChannel() {
        return CONTAINERD.channel();
    }

    /** The runc shim's root of the suite's namespace stays after its last task, as containerd keeps it. */
    @AfterAll
    static void removeRuncRoot() throws Exception {
        removeRuntimeRoot(Path.of("/run/containerd/runc"));
    }
}
