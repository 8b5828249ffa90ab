package io.jcontainerd.supervisor.pull;

import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.leases.v1.LeasesGrpc;
import io.jcontainerd.api.services.leases.v1.ListRequest;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestRegistry;
import io.jcontainerd.testsupport.UnixGrpcChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon owns each server-side pull's lease. Killed by SIGKILL in the middle of pulls (three
 * times, as in issue 13), it releases those leases when it starts again, so that once the pull is
 * done and the image removed with sync, no blob, no snapshot and no lease is left.
 */
class PullLeaseAfterDaemonCrashIT {
    private static final String REF = "docker.io/library/large:latest";

    @TempDir
    Path dir;

    @Test
    void leasesOfPullsThatDiedWithTheDaemonAreReleasedSoRemovingTheImageReclaimsEverything() throws Exception {
        TestRegistry registry = TestRegistry.shared();
        Path config = Files.writeString(dir.resolve("jcontainerd.toml"),
                "[registry]\nconfig_path = \"" + registry.hostsDir() + "\"\n");
        Path root = dir.resolve("root");
        int killedMidPull = 0;
        for (int round = 0; round < 3; round++) {
            DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString());
            try (d; UnixGrpcChannel ch = new UnixGrpcChannel(d.socket())) {
                long before = downloadedBytes(root);
                CompletableFuture<Boolean> pull = CompletableFuture.supplyAsync(() -> {
                    try {
                        drain(PullGrpc.newBlockingStub(ch.namespaced("default"))
                                .pull(PullRequest.newBuilder().setReference(REF).setUnpack(true).build()));
                        return true;
                    } catch (RuntimeException diedUnderIt) {
                        return false;
                    }
                }, Thread::startVirtualThread);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!pull.isDone() && downloadedBytes(root) < before + 3_000_000 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (pull.isDone()) {
                    break;
                }
                d.kill();
                pull.get(30, TimeUnit.SECONDS);
                killedMidPull++;
            }
        }
        assertThat(killedMidPull).as("pulls killed in the middle").isPositive();

        DaemonProcess daemon = DaemonProcess.start(dir, "--config", config.toString());
        try (daemon; UnixGrpcChannel ch = new UnixGrpcChannel(daemon.socket())) {
            var leases = LeasesGrpc.newBlockingStub(ch.namespaced("default"));
            assertThat(leases.list(ListRequest.getDefaultInstance()).getLeasesList())
                    .as("leases of the pulls that died with the daemon").isEmpty();

            PullEvent done = drain(PullGrpc.newBlockingStub(ch.namespaced("default"))
                    .pull(PullRequest.newBuilder().setReference(REF).setUnpack(true).build()));
            assertThat(done.getDone().getUnpacked()).isTrue();
            assertThat(blobs(root)).as("blobs after the pull").isNotEmpty();

            ImagesGrpc.newBlockingStub(ch.namespaced("default"))
                    .delete(DeleteImageRequest.newBuilder().setName(REF).setSync(true).build());

            assertThat(leases.list(ListRequest.getDefaultInstance()).getLeasesList()).as("leases left").isEmpty();
            assertThat(blobs(root)).as("blobs left after removing the image with sync").isEmpty();
            assertThat(snapshotDirectories(root)).as("snapshot directories left").isEmpty();
        }
    }

    private static PullEvent drain(Iterator<PullEvent> events) {
        PullEvent last = null;
        while (events.hasNext()) {
            last = events.next();
        }
        return last;
    }

    /** Bytes in ingests and committed blobs: grows while the pull downloads. */
    private static long downloadedBytes(Path root) throws IOException {
        long n = 0;
        for (Path d : List.of(root.resolve("content/ingest"), root.resolve("content/blobs"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(d)) {
                n += walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            } catch (java.io.UncheckedIOException movedWhileWalking) {
                // an ingest was committed under our feet: count again next time
            }
        }
        return n;
    }

    private static List<String> blobs(Path root) throws IOException {
        Path sha = root.resolve("content/blobs/sha256");
        if (!Files.isDirectory(sha)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(sha)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static List<String> snapshotDirectories(Path root) throws IOException {
        Path snaps = root.resolve("snapshots");
        if (!Files.isDirectory(snaps)) {
            return List.of();
        }
        try (Stream<Path> drivers = Files.list(snaps)) {
            List<String> out = new java.util.ArrayList<>();
            for (Path driver : drivers.toList()) {
                Path s = driver.resolve("snapshots");
                if (Files.isDirectory(s)) {
                    try (Stream<Path> each = Files.list(s)) {
                        each.forEach(p -> out.add(driver.getFileName() + "/" + p.getFileName()));
                    }
                }
            }
            return out;
        }
    }
}
