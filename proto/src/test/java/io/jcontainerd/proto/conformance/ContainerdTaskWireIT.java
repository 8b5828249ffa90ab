package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The task suite against Debian's real containerd 1.6 + runc, through our own .proto files. */
class ContainerdTaskWireIT extends ContainerdTaskConformance {

    @RegisterExtension
    static final RealContainerdExtension CONTAINERD = new RealContainerdExtension();

    @Override
    protected Channel rawChannel() {
        return CONTAINERD.channel();
    }
}
