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
 * {@code docker run -it} and {@code docker exec -it} in a real terminal (a tmux pane): the prompt comes,
 * typed commands run, the window size reaches the container's TTY (from the start when the client sends
 * it with the create, later through its resize), a changed window follows, and exit ends the CLI.
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
        if (d != null) {
            d.close(); // null when the daemon did not start: that failure is the one to see
        }
    }

    private void startPane(String dockerArgs) {
        startPane("", dockerArgs);
    }

    private void startPane(String env, String dockerArgs) {
        Cli.Result started = Cli.run(List.of(TMUX, "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                "env DOCKER_HOST=" + d.host() + " DOCKER_CONFIG=" + dir.resolve("docker-config") + " " + env + " " + DockerFixture.DOCKER
                        + " " + dockerArgs + "; echo CLI-EXIT-$?; sleep 600"));
        assertThat(started.exit()).as(started.toString()).isZero();
    }

    /**
     * The size the shell in the pane finally sees: it polls {@code stty size} until it is {@code rows x columns}
     * and then prints it (the marker is split in the typed line, so only the output matches).
     */
    private void awaitSizeInside(int rows, int columns) {
        keys("until [ \"$(stty size 2>&1)\" = \"" + rows + " " + columns + "\" ]; do sleep 0.1; done; echo SI\"\"ZE-$(stty size | tr ' ' x)");
        awaitPane("SIZE-" + rows + "x" + columns);
    }

    @Test
    void runItGivesAnInteractiveShellWithTheTerminalsSize() {
        startPane("run -it --rm busybox sh");
        awaitPane("/ #");
        keys("echo $((6*7))");
        awaitPane("42");
        // the CLI sends the size with the create (HostConfig.ConsoleSize): the pty has it before the shell
        // starts, so the first stty sees it, however late the resize the CLI sends after start arrives
        keys("stty size");
        awaitPane("30 100");
        String id = d.docker("ps", "-q", "--no-trunc").out().strip();
        assertThat(d.docker("inspect", "-f", "{{json .HostConfig.ConsoleSize}}", id).out().strip()).isEqualTo("[30,100]");
        assertThat(d.ctr("containers", "info", id).out()).as("the spec the facade wrote")
                .containsPattern("\"consoleSize\": \\{\\s*\"height\": 30,\\s*\"width\": 100");
        Cli.Result resized = Cli.run(List.of(TMUX, "resize-window", "-t", session, "-x", "120", "-y", "40"));
        assertThat(resized.exit()).as(resized.toString()).isZero();
        awaitSizeInside(40, 120);
        keys("exit 4");
        awaitPane("CLI-EXIT-4");
        assertThat(d.docker("ps", "-aq").out()).as("--rm removed it").isEmpty();
    }

    @Test
    void execItGivesTheTerminalsSizeWithTheCreateFromApi142() {
        Cli.Result run = d.docker("run", "-d", "--name", "sized", "busybox", "sleep", "600");
        assertThat(run.exit()).as(run.toString()).isZero();
        // API 1.42 lets the CLI send ConsoleSize with exec create and start: the size is there from the start
        startPane("DOCKER_API_VERSION=1.42", "exec -it sized sh");
        awaitPane("/ #");
        keys("stty size");
        awaitPane("30 100");
        keys("exit 3");
        awaitPane("CLI-EXIT-3");
    }

    @Test
    void execItGetsTheTerminalsSizeAndFollowsTheWindow() {
        Cli.Result run = d.docker("run", "-d", "--name", "sized", "busybox", "sleep", "600");
        assertThat(run.exit()).as(run.toString()).isZero();
        // API 1.41 (what the CLI negotiates with us): the exec's size comes only with the CLI's resize after
        // the start, which waits for the exec to be launched, as dockerd's does
        startPane("exec -it sized sh");
        awaitPane("/ #");
        awaitSizeInside(30, 100);
        Cli.Result resized = Cli.run(List.of(TMUX, "resize-window", "-t", session, "-x", "90", "-y", "25"));
        assertThat(resized.exit()).as(resized.toString()).isZero();
        awaitSizeInside(25, 90);
        keys("exit 3");
        awaitPane("CLI-EXIT-3");
        assertThat(d.docker("inspect", "-f", "{{json .HostConfig.ConsoleSize}}", "sized").out().trim())
                .as("a container created without a size shows dockerd's [0,0]").isEqualTo("[0,0]");
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
            try {
                Thread.sleep(100); // a poll interval: each capture is a tmux process on a loaded machine
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for \"" + text + "\"", e);
            }
        }
        throw new AssertionError("the terminal never showed \"" + text + "\":\n" + pane);
    }
}
