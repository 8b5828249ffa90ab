package io.jcontainerd.content.pull;

import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.registry.RetryPolicy;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.content.store.TempDirs;
import io.jcontainerd.testsupport.FixtureBlob;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A registry killed in the middle of a large layer: the next pull resumes from the ingest. */
class PullResumeIT {

    private Path root;
    private LocalContentStore store;
    private TestRegistry first;
    private TestRegistry second;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("jcd-pull-resume-");
        store = LocalContentStore.open(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (first != null) first.close();
        if (second != null) second.close();
        TempDirs.deleteRecursively(root);
    }

    private static RegistryClient client() {
        return RegistryClient.builder()
                .retry(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200)))
                .idleTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void resumesFromTheCommittedOffsetAfterTheRegistryWasKilledMidLayer() throws Exception {
        first = TestRegistry.start();
        FixtureImage large = first.images().image("large:latest");
        long total = large.manifest().size() + large.config().size()
                + large.layers().stream().mapToLong(FixtureBlob::size).sum();
        FixtureBlob victim = large.layers().get(1); // 16 MiB; layer 0 is the 1 MiB busybox base
        AtomicBoolean killed = new AtomicBoolean();
        // One blob at a time, so the kill lands inside the first layer; the listener runs on the
        // downloading thread, so that download waits until the registry is really gone. Kill early:
        // loopback socket buffers hold megabytes that still arrive after the kill.
        PullListener killer = p -> {
            if (p.phase() == PullPhase.DOWNLOADING && p.blob().digest().toString().equals(victim.digest())
                    && p.offset() > 512 * 1024 && killed.compareAndSet(false, true)) {
                first.close();
            }
        };
        assertThatThrownBy(() -> new ImagePuller(client(), store).pull(first.reference("large:latest"),
                PullOptions.defaults().withConcurrency(1).withListener(killer)))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining(first.host());
        assertThat(killed).isTrue();

        IngestStatus partial = store.listStatuses().stream()
                .filter(s -> s.ref().equals("layer-" + victim.digest())).findFirst().orElseThrow();
        assertThat(partial.offset()).isGreaterThan(512 * 1024).isLessThan(victim.size());
        long partialBytes = store.listStatuses().stream().mapToLong(IngestStatus::offset).sum();
        long alreadyCommitted = 0;
        for (FixtureBlob b : FixtureBlobs.all(large)) {
            try {
                alreadyCommitted += store.info(Digest.parse(b.digest())).size();
            } catch (io.jcontainerd.config.errdefs.NotFoundException notYet) {
                // not fetched before the kill
            }
        }

        second = TestRegistry.start(); // the same storage, a new process (and port)
        PullResult resumed = new ImagePuller(client(), store).pull(second.reference("large:latest"), PullOptions.defaults());

        assertThat(resumed.bytesDownloaded()).isLessThan(total)
                .isEqualTo(total - alreadyCommitted - partialBytes);
        for (FixtureBlob layer : large.layers()) {
            assertThat(Files.mismatch(store.blobPath(Digest.parse(layer.digest())), second.images().blobPath(layer.digest())))
                    .as("layer %s is byte-identical", layer.digest()).isEqualTo(-1L);
        }
        assertThat(store.listStatuses()).isEmpty();
        System.out.printf("resume: first pull stopped at %d of %d bytes of %s; second pull downloaded %d of %d image bytes%n",
                partial.offset(), victim.size(), victim.digest(), resumed.bytesDownloaded(), total);
    }
}
