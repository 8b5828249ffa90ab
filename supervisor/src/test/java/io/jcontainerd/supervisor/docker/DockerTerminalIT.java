package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker run -it} in a real terminal (a tmux pane): the prompt comes, typed commands run,
 * the window size reaches the container's TTY, and exit ends the CLI.
 */
class DockerTerminalIT {
    static final String TMUX = "/usr/bin/tmux";
    @TempDir
    Path dir;
    DockerFixture d;
    final String session = "jcd-docker-it-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void start() {
        Cli.requireTool(TMUX, "tmux");
        d = new DockerFixture(dir);
        d.pullBusybox();
    }

    @AfterEach
    void stop() {
        Cli.run(List.of(TMUX, "kill-session", "-t", session));
        d.close();
    }

    @Test
    void runItGivesAnInteractiveShellWithTheTerminalsSize() {
        Cli.Result started = Cli.run(List.of(TMUX, "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                "env DOCKER_HOST=" + d.host() + " DOCKER_CONFIG=" + dir.resolve("docker-config") + " " + DockerFixture.DOCKER
                        + " run -it --rm busybox sh; echo CLI-EXIT-$?; sleep 600"));
        assertThat(started.exit()).as(started.toString()).isZero();
        awaitPane("/ #");
        keys("echo $((6*7))");
        awaitPane("42");
        keys("stty size");
        awaitPane("30 100");
        keys("exit 4");
        awaitPane("CLI-EXIT-4");
        assertThat(d.docker("ps", "-aq").out()).as("--rm removed it").isEmpty();
    }

    private void keys(String line) {
        Cli.run(List.of(TMUX, "send-keys", "-t", session, line, "Enter"));
    }

    private void awaitPane(String text) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String pane = "";
        while (System.nanoTime() < deadline) {
            pane = Cli.run(List.of(TMUX, "capture-pane", "-p", "-t", session)).out();
            if (pane.contains(text)) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the terminal never showed \"" + text + "\":\n" + pane);
    }
}
