package io.jcontainerd.supervisor.docker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * testcontainers-java 2.0.5, unchanged, against jcontainerd's Docker API (DOCKER_HOST, Ryuk off
 * and the host override set by the failsafe configuration): GenericContainer with a command, env and labels,
 * execInContainer, getLogs, a log consumer, Wait.forLogMessage and Wait.forHealthcheck.
 */
class TestcontainersIT {
    static final DockerImageName BUSYBOX = DockerImageName.parse("busybox:latest");
    @TempDir
    static Path dir;
    static DockerFixture d;

    @BeforeAll
    static void start() {
        // testcontainers takes DOCKER_HOST from the environment only (the failsafe configuration sets it)
        String host = System.getenv("DOCKER_HOST");
        if (host == null || !host.startsWith("unix://")) {
            throw new AssertionError("DOCKER_HOST must name the unix socket this test serves (supervisor/pom.xml sets it for failsafe), got " + host);
        }
        d = new DockerFixture(dir, Path.of(host.substring("unix://".length())));
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    @Test
    void genericContainerRunsItsCommandWithEnvAndLabelsAndExecsInIt() throws Exception {
        assertThat(DockerClientFactory.instance().isDockerAvailable()).isTrue();
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX).withCommand("sh", "-c", "echo ready; echo $FOO >&2; sleep 1000")
                .withEnv("FOO", "bar").withLabels(Map.of("team", "jcd")).waitingFor(Wait.forLogMessage("ready\\n", 1))) {
            c.start();
            assertThat(c.isRunning()).isTrue();
            Container.ExecResult r = c.execInContainer("sh", "-c", "echo out; echo err >&2; exit 3");
            assertThat(r.getExitCode()).isEqualTo(3);
            assertThat(r.getStdout()).isEqualTo("out\n");
            assertThat(r.getStderr()).isEqualTo("err\n");
            assertThat(c.execInContainer("cat", "/etc/hostname").getStdout().strip()).isEqualTo(c.getContainerId().substring(0, 12));
            assertThat(c.getLogs(OutputFrame.OutputType.STDOUT)).isEqualTo("ready\n");
            assertThat(c.getLogs(OutputFrame.OutputType.STDERR)).isEqualTo("bar\n");
            assertThat(c.getContainerInfo().getConfig().getLabels()).containsEntry("team", "jcd").containsEntry("org.testcontainers", "true");
        }
        assertThat(d.docker("ps", "-aq").out()).as("stop() killed and removed it").isEmpty();
    }

    @Test
    void anExposedPortIsMappedAndServesFromTheHost() throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "mkdir /w; echo hi > /w/index.html; httpd -f -p 8080 -h /w").withExposedPorts(8080)) {
            c.start(); // the default wait: the port answers inside and from the host
            assertThat(c.getHost()).isEqualTo("localhost");
            var client = java.net.http.HttpClient.newHttpClient();
            var response = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + c.getMappedPort(8080) + "/index.html")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("hi\n");
        }
    }

    @Test
    void filesAreCopiedIntoTheContainerBeforeItStartsAndOutOfItWhileItRuns() throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX)
                .withCopyToContainer(org.testcontainers.images.builder.Transferable.of("from the test\n"), "/tmp/in.txt")
                .withCommand("sh", "-c", "cat /tmp/in.txt; echo made > /tmp/out.txt; sleep 1000")
                .waitingFor(Wait.forLogMessage("from the test\\n", 1))) {
            c.start();
            String out = c.copyFileFromContainer("/tmp/out.txt", in -> new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(out).isEqualTo("made\n");
        }
    }

    @Test
    void aLogConsumerSeesTheOutputAsItComes() {
        ToStringConsumer seen = new ToStringConsumer();
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "for i in 1 2 3; do echo line$i; done; echo done; sleep 1000")
                .withLogConsumer(seen).waitingFor(Wait.forLogMessage("done\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
            c.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!seen.toUtf8String().contains("done") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(seen.toUtf8String()).isEqualTo("line1\nline2\nline3\ndone\n");
        }
    }

    @Test
    void waitForHealthcheckReturnsOnceTheHealthCheckPasses() throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "sleep 1; touch /tmp/ready; sleep 1000")
                .withCreateContainerCmdModifier(cmd -> cmd.withHealthcheck(new com.github.dockerjava.api.model.HealthCheck()
                        .withTest(java.util.List.of("CMD-SHELL", "test -f /tmp/ready")).withInterval(200_000_000L).withRetries(3)))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(60)))) {
            c.start();
            assertThat(c.getCurrentContainerInfo().getState().getHealth().getStatus()).isEqualTo("healthy");
            assertThat(c.execInContainer("test", "-f", "/tmp/ready").getExitCode()).as("healthy only once the file is there").isZero();
        }
    }

    @Test
    void aOneShotContainerRunsToItsEndAndKeepsItsLogs() {
        try (GenericContainer<?> c = new GenericContainer<>(BUSYBOX).withCommand("sh", "-c", "echo bye")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            c.start();
            assertThat(c.getLogs()).isEqualTo("bye\n");
            assertThat(c.getCurrentContainerInfo().getState().getExitCodeLong()).isZero();
            assertThat(c.getCurrentContainerInfo().getState().getStatus()).isEqualTo("exited");
        }
    }
}
