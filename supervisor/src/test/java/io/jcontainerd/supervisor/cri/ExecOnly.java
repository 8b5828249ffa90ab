package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.PortForwardRequest;

import java.util.List;
import java.util.function.BiConsumer;

/** Streaming-server handlers for tests of the server itself: {@code exec} as given, attach and port-forward refused. */
final class ExecOnly {
    private ExecOnly() {
    }

    static StreamServer.Handlers handlers(BiConsumer<ExecRequest, ChannelConnection> exec) {
        return new StreamServer.Handlers() {
            @Override
            public void exec(ExecRequest request, ChannelConnection connection) {
                exec.accept(request, connection);
            }

            @Override
            public void attach(AttachRequest request, ChannelConnection connection) {
                throw new UnsupportedOperationException("not used by this test");
            }

            @Override
            public void portForward(PortForwardRequest request, List<Integer> ports, ChannelConnection connection) {
                throw new UnsupportedOperationException("not used by this test");
            }
        };
    }
}
