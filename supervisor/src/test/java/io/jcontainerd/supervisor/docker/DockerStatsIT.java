package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker stats (one-shot and streamed, from the task's cgroup), docker system df and docker
 * events (streamed live, filtered) through the real docker CLI 28.
 */
class DockerStatsIT {
    @TempDir
    Path dir;
    DockerFixture d;

    @BeforeEach
    void start() {
        d = new DockerFixture(dir);
        d.pullBusybox();
    }

    @AfterEach
    void stop() {
        d.close();
    }

    @Test
    void statsShowTheContainersMemoryLimitPidsAndCpu() {
        Cli.Result run = d.docker("run", "-d", "--name", "busy", "-m", "64m", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/dev/null & sleep 1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        Cli.Result stats = d.docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}} {{.CPUPerc}}", "busy");
        assertThat(stats.exit()).as(stats.toString() + d.daemon.log()).isZero();
        String[] f = stats.out().strip().split(" ");
        assertThat(f[0]).isEqualTo("busy");
        assertThat(stats.out()).contains("/ 64MiB");
        long processes = d.docker("top", "busy").out().lines().count() - 1;
        assertThat(f[f.length - 2]).as("the processes docker top lists").isEqualTo(Long.toString(processes));
        assertThat(processes).isGreaterThanOrEqualTo(2);
        double cpu = Double.parseDouble(f[f.length - 1].replace("%", ""));
        assertThat(cpu).as("dd spins a CPU").isGreaterThan(10.0);

        String json = d.sh("docker stats --no-stream --format '{{json .}}' busy").out();
        assertThat(json).contains("\"Name\":\"busy\"").contains("\"NetIO\":\"");
    }

    @Test
    void systemDfCountsImagesContainersAndVolumes() {
        d.docker("volume", "create", "v1");
        d.docker("run", "-d", "--name", "c1", "-v", "v1:/v", "busybox", "sh", "-c", "echo 12345 > /v/f; sleep 1000");
        Cli.Result df = d.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}");
        assertThat(df.exit()).as(df.toString() + d.daemon.log()).isZero();
        assertThat(df.out()).contains("Images 1 1\n").contains("Containers 1 1\n").contains("Local Volumes 1 1\n");
    }

    @Test
    void eventsStreamLiveWithFilters() throws Exception {
        Instant t0 = Instant.now();
        ProcessBuilder pb = new ProcessBuilder(DockerFixture.DOCKER, "events", "--filter", "type=container", "--filter", "event=die",
                "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}");
        pb.environment().putAll(d.env());
        pb.redirectErrorStream(true);
        Process events = pb.start();
        var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(events.getInputStream()))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        String seen = null;
        try {
            // the CLI subscribes some time after it starts: a run it missed is run again under the next name
            for (int i = 0; i < 10 && seen == null; i++) {
                assertThat(d.docker("run", "--rm", "--name", "ev" + i, "busybox", "sh", "-c", "exit 4").exit()).isEqualTo(4);
                seen = lines.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            events.destroy();
            events.waitFor();
            reader.join();
        }
        assertThat(seen).matches("ev\\d 4");
        String name = seen.split(" ")[0];
        String past = d.docker("events", "--since", Long.toString(t0.getEpochSecond()), "--until", Long.toString(Instant.now().getEpochSecond() + 1),
                "--filter", "container=" + name, "--format", "{{.Action}}").out();
        assertThat(past.lines().toList()).containsSubsequence("create", "start", "die", "destroy");
    }
}
