package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One port-forward connection as kubelet's WebSocket port-forward serves it: for the i-th port,
 * channel 2i carries the data both ways and 2i+1 the errors; each channel first carries the port
 * (uint16, little endian). Each port is one TCP connection to 127.0.0.1 inside the pod's network
 * namespace ({@link PodSocket}); the stream ends when every pod side has closed, or the client went away.
 */
final class PodPortForward {
    private static final Logger LOG = Logger.getLogger(PodPortForward.class.getName());
    private final ChannelConnection connection;
    private final Path netns;
    private final String sandboxId;

    PodPortForward(ChannelConnection connection, Path netns, String sandboxId) {
        this.connection = connection;
        this.netns = netns;
        this.sandboxId = sandboxId;
    }

    void run(List<Integer> ports) throws IOException {
        int n = ports.size();
        for (int i = 0; i < n; i++) {
            byte[] port = {(byte) (ports.get(i) & 0xff), (byte) (ports.get(i) >>> 8)};
            connection.send(2 * i, port, 0, 2);
            connection.send(2 * i + 1, port, 0, 2);
        }
        PodSocket[] sockets = new PodSocket[n];
        InboundPipe[] pipes = new InboundPipe[n];
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int port = ports.get(i);
                try {
                    PodSocket s = PodSocket.dial(netns, port);
                    sockets[i] = s;
                    pipes[i] = s.inbound(connection);
                    int channel = 2 * i;
                    pumps.add(Thread.ofPlatform().daemon().name("cri-portforward-out").stackSize(256 * 1024).start(() -> s.copyOut((data, len) -> {
                        connection.send(channel, data, 0, len);
                        return true;
                    })));
                } catch (IOException e) {
                    String msg = PodSocket.dialError(port, sandboxId, e);
                    LOG.fine(msg);
                    connection.send(2 * i + 1, msg);
                }
            }
            connection.start(new ChannelConnection.Listener() {
                @Override
                public void data(int channel, byte[] data) {
                    int i = channel / 2;
                    if (channel % 2 == 0 && i < n && pipes[i] != null) {
                        pipes[i].offer(data);
                    }
                }

                @Override
                public void streamClosed(int channel) {
                    int i = channel / 2;
                    if (channel % 2 == 0 && i < n && pipes[i] != null) {
                        pipes[i].end();
                    }
                }

                @Override
                public void closed() {
                    for (int i = 0; i < n; i++) {
                        if (pipes[i] != null) {
                            pipes[i].end();
                        }
                        if (sockets[i] != null) {
                            sockets[i].close();
                        }
                    }
                }
            });
            for (Thread t : pumps) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (PodSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
