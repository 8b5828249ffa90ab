package io.jcontainerd.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real daemon (in a fresh temporary root) and a gRPC channel to it per test class:
 * {@code @RegisterExtension static final RunningDaemon daemon = new RunningDaemon();}.
 * Stopped, and its directory removed, after the class.
 */
public final class RunningDaemon implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private DaemonProcess process;
    private UnixGrpcChannel channel;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jcd-daemon-");
        // without a config the Docker facade takes the shared /run/jcontainerd/docker.sock, which
        // another daemon on this machine may serve: these suites need only the containerd API
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"), "[docker]\nenabled = false\n");
        process = DaemonProcess.start(dir, "--config", config.toString());
        channel = new UnixGrpcChannel(process.socket());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (channel != null) {
                channel.close();
            }
        } finally {
            try {
                if (process != null) {
                    process.close();
                }
            } finally {
                if (dir != null) {
                    try (Stream<Path> paths = Files.walk(dir)) {
                        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    public DaemonProcess process() {
        return process;
    }

    public UnixGrpcChannel channel() {
        return channel;
    }
}
