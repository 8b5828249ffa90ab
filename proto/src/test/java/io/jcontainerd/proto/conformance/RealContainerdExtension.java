package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real containerd and a channel to it per test class: {@code @RegisterExtension static}. */
final class RealContainerdExtension implements BeforeAllCallback, AfterAllCallback {

    private RealContainerd containerd;
    private UnixChannels channels;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        containerd = RealContainerd.start();
        channels = new UnixChannels(containerd.socket());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
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

    Channel channel() {
        return channels.channel();
    }
}
