package io.jcontainerd.supervisor.pull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.testsupport.ConnectTrace;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.LoopbackOnlyNetns;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pull through the test registry's certs.d of a tag the registry lacks is answered by the loopback
 * registry alone: the daemon runs in a network namespace with only {@code lo} (nothing can leave the
 * machine whatever it tries), under strace, which records every address it connects or sends to.
 */
class FailedPullStaysOnLoopbackIT {
    @TempDir
    Path dir;

    @Test
    void aPullOfATagTheRegistryLacksIsNotFoundAndReachesNothingButLoopback() throws Exception {
        try (LoopbackOnlyNetns netns = LoopbackOnlyNetns.create("loopback-pull")) {
            TestRegistry registry = TestRegistry.startThrough(netns.launcher(), dir.resolve("registry"));
            try {
                Path config = Files.writeString(dir.resolve("jcontainerd.toml"),
                        "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n[shim]\nspare = false\n");
                try (DaemonProcess daemon = DaemonProcess.startThrough(netns.launcher(), dir.resolve("daemon"), "--config", config.toString());
                     UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
                    ConnectTrace trace = ConnectTrace.attach(daemon.pid(), dir);
                    List<ConnectTrace.Destination> reached;
                    long t0 = System.nanoTime();
                    try {
                        assertThatThrownBy(() -> PullGrpc.newBlockingStub(ch.namespaced("default"))
                                .pull(PullRequest.newBuilder().setReference("docker.io/library/busybox:no-such-tag").build())
                                .forEachRemaining(e -> { }))
                                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                                    assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.NOT_FOUND);
                                    assertThat(e.getStatus().getDescription()).contains("busybox:no-such-tag").contains(registry.host());
                                });
                    } finally {
                        reached = trace.stop();
                    }
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    assertThat(took).as("NotFound from the loopback registry, no wait for a resolver").isLessThan(Duration.ofSeconds(20));
                    assertThat(reached).as("the trace saw the daemon ask the registry").anySatisfy(d -> {
                        assertThat(d.isLoopback()).as(d.line()).isTrue();   // 127.0.0.1, maybe as ::ffff:127.0.0.1
                        assertThat(d.port()).isEqualTo(registry.port());
                    });
                    assertThat(reached).as("addresses the daemon connected or sent to").allMatch(ConnectTrace.Destination::isLoopback);
                }
            } finally {
                registry.close();
            }
        }
    }
}
