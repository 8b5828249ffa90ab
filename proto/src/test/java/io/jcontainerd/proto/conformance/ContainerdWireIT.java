package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conformance suite against Debian's real containerd 1.6, through our own .proto files: if
 * containerd understands our requests and we decode its answers (field numbers, types, Any URLs,
 * status codes), our API definition is wire-compatible.
 */
class ContainerdWireIT extends ContainerdApiConformance {

    @RegisterExtension
    static final RealContainerdExtension CONTAINERD = new RealContainerdExtension();

    @Override
    protected Channel rawChannel() {
        return CONTAINERD.channel();
    }
}
