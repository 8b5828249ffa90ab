package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One port-forward connection as kubelet's WebSocket port-forward serves it: for the i-th port,
 * channel 2i carries the data both ways and 2i+1 the errors; each channel first carries the port
 * (uint16, little endian). Each port is one TCP connection to 127.0.0.1 inside the pod's network
 * namespace ({@link NetnsDialer}); the stream ends when every pod side has closed, or the client went away.
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
        SocketChannel[] sockets = new SocketChannel[n];
        InboundPipe[] pipes = new InboundPipe[n];
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int port = ports.get(i);
                try {
                    SocketChannel s = NetnsDialer.dial(netns, port);
                    sockets[i] = s;
                    pipes[i] = new InboundPipe("cri-portforward-in", connection, new InboundPipe.Sink() {
                        @Override
                        public void write(byte[] data) throws IOException {
                            ByteBuffer b = ByteBuffer.wrap(data);
                            while (b.hasRemaining()) {
                                s.write(b);
                            }
                        }

                        @Override
                        public void end() {
                            try {
                                s.shutdownOutput();
                            } catch (IOException e) {
                                // closed already
                            }
                        }
                    });
                    int channel = 2 * i;
                    pumps.add(Thread.ofPlatform().daemon().name("cri-portforward-out").stackSize(256 * 1024).start(() -> pump(s, channel)));
                } catch (IOException e) {
                    String msg = "error forwarding port " + port + " to pod " + sandboxId + ": " + e.getMessage();
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
                        closeQuietly(sockets[i]);
                    }
                }
            });
            for (Thread t : pumps) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (SocketChannel s : sockets) {
                closeQuietly(s);
            }
        }
    }

    private void pump(SocketChannel s, int channel) {
        ByteBuffer b = ByteBuffer.allocate(32 * 1024);
        try {
            while (s.read(b) > 0) {
                connection.send(channel, b.array(), 0, b.position());
                b.clear();
            }
        } catch (IOException e) {
            // either side went away
        }
    }

    private static void closeQuietly(SocketChannel s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
    }
}
