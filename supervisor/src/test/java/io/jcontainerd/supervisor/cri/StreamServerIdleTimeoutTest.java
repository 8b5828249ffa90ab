package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ExecRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** containerd's {@code stream_idle_timeout}: the streaming server closes a connection that carried nothing for that long. */
class StreamServerIdleTimeoutTest {
    /** What the server's exec handler saw: whether its connection was closed under it (within 60 s). */
    private final CompletableFuture<Boolean> execClosed = new CompletableFuture<>();
    /** Bytes the exec handler read from the client, as a container's stdin would. */
    private final AtomicLong stdinBytes = new AtomicLong();
    private StreamServer server;

    private final StreamServer.Handlers holdUntilClosed = ExecOnly.handlers((request, connection) -> {
        connection.start(new ChannelConnection.Listener() {
            @Override
            public void data(int channel, byte[] data) {
                stdinBytes.addAndGet(data.length);
            }

            @Override
            public void streamClosed(int channel) {
            }

            @Override
            public void closed() {
            }
        });
        try {
            execClosed.complete(connection.awaitClosed(60_000));
        } catch (InterruptedException e) {
            execClosed.complete(false);
        }
    });

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String execUrl() {
        return server.execUrl(ExecRequest.newBuilder().setContainerId("c1").addCmd("sh").setStdin(true).setStdout(true).build());
    }

    @Test
    void anExecConnectionWithNoTrafficIsClosedOnceTheIdleTimeoutPasses() throws Exception {
        Duration idle = Duration.ofSeconds(1);
        server = StreamServer.start("127.0.0.1", 0, idle, null, holdUntilClosed, Clock.systemUTC());
        long t0 = System.nanoTime();
        try (K8sStreamClient client = K8sStreamClient.connect(execUrl(), "v4.channel.k8s.io")) {
            client.awaitClose();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(idle);
            assertThat(execClosed.get(60, TimeUnit.SECONDS)).as("the handler's connection ended").isTrue();
        }
    }

    @Test
    void trafficKeepsAConnectionOpenPastTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(5);
        server = StreamServer.start("127.0.0.1", 0, idle, null, holdUntilClosed, Clock.systemUTC());
        try (K8sStreamClient client = K8sStreamClient.connect(execUrl(), "v4.channel.k8s.io")) {
            long end = System.nanoTime() + idle.plusSeconds(1).toNanos();
            while (System.nanoTime() < end) {
                client.send(0, "x");
                Thread.sleep(100); // the traffic itself: a frame every 100 ms, far inside the 5 s bound
            }
            assertThat(client.isClosed()).as("closed although it carried a frame every 100 ms").isFalse();
            assertThat(execClosed).isNotDone();
            assertThat(stdinBytes.get()).as("the frames reached the handler").isPositive();
        }
    }

    @Test
    void aConnectionThatNeverSendsItsRequestIsClosedToo() throws Exception {
        Duration idle = Duration.ofSeconds(1);
        server = StreamServer.start("127.0.0.1", 0, idle, null, holdUntilClosed, Clock.systemUTC());
        URI base = URI.create(server.base());
        long t0 = System.nanoTime();
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("end of stream from the server").isEqualTo(-1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(idle);
    }
}
