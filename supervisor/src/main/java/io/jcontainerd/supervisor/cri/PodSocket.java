package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One forwarded port's TCP connection to 127.0.0.1 inside a pod's network namespace, as both
 * port-forward protocols (WebSocket channels, {@link PodPortForward}; SPDY stream pairs,
 * {@link SpdyPortForward}) use it: dialled by {@link NetnsDialer}, written through an
 * {@link InboundPipe} whose end shuts the socket's output, read 32 KiB at a time.
 */
final class PodSocket implements AutoCloseable {
    final SocketChannel socket;

    private PodSocket(SocketChannel socket) {
        this.socket = socket;
    }

    /** Connects to 127.0.0.1:{@code port} in the pod's network namespace ({@code netns}; null: the daemon's own). */
    static PodSocket dial(Path netns, int port) throws IOException {
        return new PodSocket(NetnsDialer.dial(netns, port));
    }

    /** What the client is told when the connection cannot be made (kubelet's wording). */
    static String dialError(int port, String sandboxId, IOException e) {
        return "error forwarding port " + port + " to pod " + sandboxId + ": " + e.getMessage();
    }

    /** A pipe whose writes go to the socket whole and whose end shuts the socket's output (the pod's side sees EOF). */
    InboundPipe inbound(ChannelConnection connection) {
        return new InboundPipe("cri-portforward-in", connection, new InboundPipe.Sink() {
            @Override
            public void write(byte[] data) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    socket.write(b);
                }
            }

            @Override
            public void end() {
                try {
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // closed already
                }
            }
        });
    }

    /** Reads what the pod sends, 32 KiB at a time, until EOF, an error, or {@code out} refuses it. */
    void copyOut(Output out) {
        ByteBuffer b = ByteBuffer.allocate(32 * 1024);
        try {
            while (socket.read(b) > 0) {
                if (!out.send(b.array(), b.position())) {
                    return;
                }
                b.clear();
            }
        } catch (IOException e) {
            // either side went away
        }
    }

    /** Where {@link #copyOut} sends: false stops the copy. */
    interface Output {
        boolean send(byte[] data, int len) throws IOException;
    }

    /** Closes the socket; closed already is fine. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
