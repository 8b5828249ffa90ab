package io.jcontainerd.config;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** The one "does something serve this unix socket" probe, for the daemon's socket and the shims'. */
public final class UnixSockets {
    private UnixSockets() {
    }

    /** Whether something accepts connections on the unix socket {@code path}. */
    public static boolean answers(Path path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
