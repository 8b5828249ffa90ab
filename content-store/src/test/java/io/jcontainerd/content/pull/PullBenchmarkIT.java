package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.content.store.LocalContentStore;
import io.jcontainerd.content.store.TempDirs;
import io.jcontainerd.testsupport.FixtureBlob;
import io.jcontainerd.testsupport.FixtureImage;
import io.jcontainerd.testsupport.ReferenceContainerd;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cold pulls (download + verify + store, no unpack) of the fixture's large image: ours against
 * containerd's {@code ctr content fetch} and {@code skopeo copy}, in the same run. Prints the
 * figures; asserts that every pull produced the exact blobs.
 */
class PullBenchmarkIT {

    private static final int RUNS = 3;

    private final TestRegistry registry = TestRegistry.shared();

    @Test
    void measuresColdPullsOfTheLargeImageAgainstContainerdAndSkopeo() throws Exception {
        FixtureImage large = registry.images().image("large:latest");
        long bytes = large.manifest().size() + large.config().size()
                + large.layers().stream().mapToLong(FixtureBlob::size).sum();

        List<Long> ours = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Path root = Files.createTempDirectory("jcd-bench-");
            try {
                LocalContentStore store = LocalContentStore.open(root);
                long t0 = System.nanoTime();
                PullResult r = new ImagePuller(RegistryClient.builder().build(), store)
                        .pull(registry.reference("large:latest"), PullOptions.defaults());
                ours.add(System.nanoTime() - t0);
                assertThat(r.bytesDownloaded()).isEqualTo(bytes);
                for (FixtureBlob l : large.layers()) {
                    assertThat(store.info(Digest.parse(l.digest())).size()).isEqualTo(l.size());
                }
            } finally {
                TempDirs.deleteRecursively(root);
            }
        }

        // The same pull in a fresh JVM: start-up included, and the process's peak RSS.
        List<Long> process = new ArrayList<>();
        long peakRssKb = 0;
        for (int i = 0; i < RUNS; i++) {
            Path root = Files.createTempDirectory("jcd-bench-proc-");
            try {
                String java = ProcessHandle.current().info().command().orElse("java");
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        PullProcess.class.getName(), root.toString(), registry.reference("large:latest"))
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
                process.add(System.nanoTime() - t0);
                assertThat(out).as("child pull output").contains("pulled " + bytes);
                peakRssKb = Math.max(peakRssKb, Long.parseLong(out.replaceAll("(?s).*VmHWM (\\d+).*", "$1")));
            } finally {
                TempDirs.deleteRecursively(root);
            }
        }

        List<Long> ctr = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            try (ReferenceContainerd containerd = ReferenceContainerd.start()) {
                long t0 = System.nanoTime();
                containerd.ctr("content", "fetch", "--hosts-dir", registry.hostsDir().toString(),
                        TestRegistry.dockerHubReference("large:latest"));
                ctr.add(System.nanoTime() - t0);
                assertThat(containerd.ctr("content", "ls")).contains(large.layers().getLast().digest());
            }
        }

        List<Long> skopeo = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Path dir = Files.createTempDirectory("jcd-bench-skopeo-");
            try {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("skopeo", "copy", "-q", "--src-tls-verify=false",
                        "docker://" + registry.reference("large:latest"), "oci:" + dir.resolve("layout") + ":large")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
                assertThat(p.exitValue()).as("skopeo copy: %s", out).isZero();
                skopeo.add(System.nanoTime() - t0);
                assertThat(dir.resolve("layout/blobs/sha256").resolve(large.layers().getLast().hex())).exists();
            } finally {
                TempDirs.deleteRecursively(dir);
            }
        }

        long ourBest = ours.stream().min(Long::compare).orElseThrow();
        long ctrBest = ctr.stream().min(Long::compare).orElseThrow();
        long skopeoBest = skopeo.stream().min(Long::compare).orElseThrow();
        System.out.printf("pull large:latest (%.1f MB, %d layers), best of %d cold runs:%n", bytes / 1e6, large.layers().size(), RUNS);
        System.out.printf("  jcontainerd ImagePuller : %6.3f s  %6.1f MB/s  runs %s%n", ourBest / 1e9, bytes / 1e6 / (ourBest / 1e9), secs(ours));
        long processBest = process.stream().min(Long::compare).orElseThrow();
        System.out.printf("  fresh JVM (SerialGC)    : %6.3f s  %6.1f MB/s  runs %s  peak RSS %d MB%n", processBest / 1e9,
                bytes / 1e6 / (processBest / 1e9), secs(process), peakRssKb / 1024);
        System.out.printf("  ctr content fetch       : %6.3f s  %6.1f MB/s  runs %s%n", ctrBest / 1e9, bytes / 1e6 / (ctrBest / 1e9), secs(ctr));
        System.out.printf("  skopeo copy (to oci:)   : %6.3f s  %6.1f MB/s  runs %s%n", skopeoBest / 1e9, bytes / 1e6 / (skopeoBest / 1e9), secs(skopeo));
        System.out.printf("  ratio ours/ctr = %.2f, ours/skopeo = %.2f%n", (double) ourBest / ctrBest, (double) ourBest / skopeoBest);
    }

    @Test
    void measuresColdPullsOfBusybox() throws Exception {
        FixtureImage busybox = registry.images().image("busybox:latest");
        List<Long> ours = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Path root = Files.createTempDirectory("jcd-bench-bb-");
            try {
                long t0 = System.nanoTime();
                PullResult r = new ImagePuller(RegistryClient.builder().build(), LocalContentStore.open(root))
                        .pull(registry.reference("busybox:latest"), PullOptions.defaults());
                ours.add(System.nanoTime() - t0);
                assertThat(r.root().digest().toString()).isEqualTo(busybox.manifest().digest());
            } finally {
                TempDirs.deleteRecursively(root);
            }
        }
        List<Long> ctr = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            try (ReferenceContainerd containerd = ReferenceContainerd.start()) {
                long t0 = System.nanoTime();
                containerd.ctr("content", "fetch", "--hosts-dir", registry.hostsDir().toString(),
                        TestRegistry.dockerHubReference("busybox:latest"));
                ctr.add(System.nanoTime() - t0);
                assertThat(containerd.ctr("content", "ls")).contains(busybox.layers().getFirst().digest());
            }
        }
        long ourBest = ours.stream().min(Long::compare).orElseThrow();
        long ctrBest = ctr.stream().min(Long::compare).orElseThrow();
        System.out.printf("pull busybox:latest, best of %d cold runs: ImagePuller %.3f s %s, ctr content fetch %.3f s %s, ratio %.2f%n",
                RUNS, ourBest / 1e9, secs(ours), ctrBest / 1e9, secs(ctr), (double) ourBest / ctrBest);
    }

    private static List<String> secs(List<Long> nanos) {
        return nanos.stream().map(n -> String.format("%.3f", n / 1e9)).toList();
    }
}
