package io.jcontainerd.shim;

import io.jcontainerd.api.shim.v1.ConnectRequest;
import io.jcontainerd.api.shim.v1.CreateTaskRequest;
import io.jcontainerd.api.shim.v1.StartRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one shim costs: time from launch to its first answered call, and its memory (RSS, PSS)
 * while it supervises one running container. Printed for the bench report; the bounds are
 * regression guards, far above today's figures.
 */
class ShimFootprintIT {
    private ShimHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new ShimHarness();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void oneShimWithARunningContainerStaysSmallAndAnswersQuickly() throws Exception {
        String id = harness.newId();
        Path bundle = harness.bundle(id, false, "sleep", "1000");
        Path socket = harness.dir.resolve(id + ".sock");
        long started = System.nanoTime();
        Process launcher = new ProcessBuilder(harness.shimCommand(id, bundle, harness.dir.resolve("nodaemon.sock"), socket))
                .redirectErrorStream(true).redirectOutput(harness.dir.resolve(id + ".shim.log").toFile()).start();
        long shimPid = harness.awaitShim(bundle, launcher);
        ShimClient shim = harness.client(socket).withTimeout(Duration.ofSeconds(60));
        shim.connect(ConnectRequest.newBuilder().setId(id).build());
        long firstAnswerMillis = (System.nanoTime() - started) / 1_000_000;

        shim.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build());
        shim.start(StartRequest.newBuilder().setId(id).build());
        Thread.sleep(1000);
        long rssKb = rollup(shimPid, "Rss:");
        long pssKb = rollup(shimPid, "Pss:");

        System.out.printf("shim footprint: first answered RPC %d ms after launch; with one running container RSS %.1f MB, PSS %.1f MB%n",
                firstAnswerMillis, rssKb / 1024.0, pssKb / 1024.0);
        assertThat(firstAnswerMillis).isLessThan(5_000);
        assertThat(rssKb).isLessThan(120 * 1024);
        assertThat(pssKb).isPositive().isLessThanOrEqualTo(rssKb);
    }

    @Test
    void aGroupOfTenContainersSharesOneShim() throws Exception {
        int count = 10;
        String first = harness.newId();
        Path firstBundle = harness.bundle(first, false, "sleep", "1000");
        ShimClient client = harness.startShim(first, firstBundle, harness.dir.resolve("nodaemon.sock"));
        long shimPid = ShimFiles.pid(firstBundle);
        ShimClient shim = client.withTimeout(Duration.ofSeconds(120));
        java.util.Map<String, Path> bundles = new java.util.LinkedHashMap<>();
        bundles.put(first, firstBundle);
        while (bundles.size() < count) {
            String id = harness.newId();
            bundles.put(id, harness.bundle(id, false, "sleep", "1000"));
        }
        long rssBefore = rollup(shimPid, "Rss:");
        long started = System.nanoTime();
        for (var entry : bundles.entrySet()) {
            shim.create(CreateTaskRequest.newBuilder().setId(entry.getKey()).setBundle(entry.getValue().toString()).build());
            shim.start(StartRequest.newBuilder().setId(entry.getKey()).build());
        }
        long perStartMillis = (System.nanoTime() - started) / 1_000_000 / count;
        Thread.sleep(1000);
        long rssKb = rollup(shimPid, "Rss:");
        long pssKb = rollup(shimPid, "Pss:");

        System.out.printf("shim group: %d running containers in one shim; create+start %d ms each; RSS %.1f MB, PSS %.1f MB "
                        + "(PSS %.1f MB per container; RSS grew %.1f MB for all of them)%n",
                count, perStartMillis, rssKb / 1024.0, pssKb / 1024.0, pssKb / 1024.0 / count, (rssKb - rssBefore) / 1024.0);
        assertThat(shim.connect(ConnectRequest.getDefaultInstance()).getProcessesCount()).isEqualTo(count);
        assertThat(pssKb / count).as("PSS per container").isLessThan(12 * 1024);
    }

    private static long rollup(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " missing from /proc/" + pid + "/smaps_rollup");
    }
}
