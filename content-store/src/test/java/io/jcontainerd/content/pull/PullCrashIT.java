package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.Info;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.content.store.TempDirs;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A pulling process killed with SIGKILL: the next pull completes and no blob in the store is corrupt. */
class PullCrashIT {

    private final TestRegistry registry = TestRegistry.shared();

    @Test
    void aPullKilledWithSigkillCompletesNextTimeAndLeavesNoCorruptBlob() throws Exception {
        Path root = Files.createTempDirectory("jcd-pull-crash-");
        Process child = null;
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    PullProcess.class.getName(), root.toString(), registry.reference("large:latest"), "slow")
                    .redirectErrorStream(true).redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile())
                    .start();
            LocalContentStore store = LocalContentStore.open(root);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long partial = 0;
            while (partial < 8L << 20) {
                assertThat(child.isAlive()).as("the pulling process is still running (else it finished too fast to be killed)").isTrue();
                assertThat(System.nanoTime()).as("the child pulled nothing within 60 s").isLessThan(deadline);
                Thread.sleep(20);
                partial = store.listStatuses().stream().mapToLong(IngestStatus::offset).sum();
            }
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.listStatuses()).as("ingests the killed pull left").isNotEmpty();

            PullResult r = new ImagePuller(RegistryClient.builder().build(), LocalContentStore.open(root))
                    .pull(registry.reference("large:latest"), PullOptions.defaults());
            FixtureImage large = registry.images().image("large:latest");
            assertThat(r.images().getFirst().manifestDesc().digest().toString()).isEqualTo(large.manifest().digest());
            assertThat(store.listStatuses()).isEmpty();
            List<Info> blobs = new ArrayList<>();
            store.walk(blobs::add);
            assertThat(blobs).hasSize(large.layers().size() + 2);
            for (Info b : blobs) {
                assertThat(sha256(store.blobPath(b.digest()))).as("content of %s", b.digest()).isEqualTo(b.digest());
            }
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(root.resolveSibling(root.getFileName() + ".log"));
            TempDirs.deleteRecursively(root);
        }
    }

    private static Digest sha256(Path file) throws Exception {
        MessageDigest md = Digest.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return Digest.sha256(md.digest());
    }
}
