package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The task suite against Debian's real containerd 1.6 + runc, through our own .proto files. */
class ContainerdTaskWireIT extends ContainerdTaskConformance {

    private static RealContainerd containerd;
    private static UnixChannels channels;

    @BeforeAll
    static void startContainerd() throws Exception {
        containerd = RealContainerd.start();
        channels = new UnixChannels(containerd.socket());
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        try {
            if (channels != null) {
                channels.close();
            }
        } finally {
            if (containerd != null) {
                containerd.close();
            }
        }
    }

    @Override
    protected Channel rawChannel() {
        return channels.channel();
    }
}
