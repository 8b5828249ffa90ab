package io.jcontainerd.supervisor.pull;

import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.FixtureBlob;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon killed with SIGKILL in the middle of a server-side pull: after a restart the same
 * pull completes, and every blob in the store has exactly the bytes its digest names.
 */
class PullAfterDaemonCrashIT {
    @TempDir
    Path dir;

    @Test
    void aPullInterruptedBySigkillCompletesAfterRestartWithNoCorruptBlob() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        FixtureImage large = registry.images().image("large:latest");
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"),
                "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n");
        String ref = "docker.io/library/large:latest";
        Path blobs = dir.resolve("root/content/blobs/sha256");

        DaemonProcess first = DaemonProcess.start(dir, "--config", config.toString());
        try (first; UnixGrpcChannel ch = new UnixGrpcChannel(first.socket())) {
            CompletableFuture<Void> firstPull = CompletableFuture.runAsync(() -> {
                try {
                    drain(PullGrpc.newBlockingStub(ch.namespaced("default"))
                            .pull(PullRequest.newBuilder().setReference(ref).setUnpack(true).build()));
                } catch (RuntimeException expected) {
                    // the daemon dies under it
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ingestedBytes(dir.resolve("root/content/ingest")) < 2_000_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ingestedBytes(dir.resolve("root/content/ingest"))).as("a layer was being downloaded").isPositive();
            first.kill();
            firstPull.get(30, TimeUnit.SECONDS);
        }
        assertThat(committedLayers(blobs, large)).as("the crash came before the image was complete")
                .isLessThan(large.layers().size());

        DaemonProcess daemon = DaemonProcess.start(dir, "--config", config.toString());
        try (UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
            PullEvent done = drain(PullGrpc.newBlockingStub(ch.namespaced("default"))
                    .pull(PullRequest.newBuilder().setReference(ref).setUnpack(true).build()));
            assertThat(done.getDone().getTarget().getDigest()).isEqualTo(large.manifest().digest());
            assertThat(done.getDone().getUnpacked()).isTrue();
            assertThat(committedLayers(blobs, large)).isEqualTo(large.layers().size());
            try (Stream<Path> all = Files.list(blobs)) {
                for (Path blob : all.toList()) {
                    assertThat(sha256(blob)).as("content of " + blob.getFileName()).isEqualTo(blob.getFileName().toString());
                }
            }
        } finally {
            daemon.close();
        }
    }

    private static PullEvent drain(Iterator<PullEvent> events) {
        PullEvent last = null;
        while (events.hasNext()) {
            last = events.next();
        }
        return last;
    }

    private static long committedLayers(Path blobs, FixtureImage image) {
        return image.layers().stream().map(FixtureBlob::hex).filter(h -> Files.exists(blobs.resolve(h))).count();
    }

    private static long ingestedBytes(Path ingest) throws IOException {
        if (!Files.isDirectory(ingest)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(ingest)) {
            return walk.filter(p -> p.getFileName().toString().equals("data")).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.UncheckedIOException movedWhileWalking) {
            return 0; // an ingest was committed under our feet: look again
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
