package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health checks and restart policies through the real docker CLI 28: a probe that turns the
 * container healthy (ps, inspect's State.Health, the health_status event), one that fails and
 * one that times out; on-failure:N giving up after N restarts with the backoff, docker stop
 * ending an always container for good, and the policies applied when a SIGKILLed daemon
 * comes back.
 */
class DockerHealthAndRestartIT {
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

    /** Runs {@code docker args} until its output passes {@code until} (60 s at most); returns that output. */
    private String await(Predicate<String> until, String... args) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Cli.Result r = d.docker(args);
        while (!until.test(r.out())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("docker " + String.join(" ", args) + " never passed: last " + r + "\n" + d.daemon.log());
            }
            Thread.onSpinWait();
            r = d.docker(args);
        }
        return r.out();
    }

    private static String since(Instant t) {
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }

    @Test
    void aPassingHealthCheckMakesTheContainerHealthyInPsInspectAndEvents() {
        Instant before = Instant.now();
        Cli.Result run = d.docker("run", "-d", "--name", "h1", "--health-cmd", "test -f /tmp/ready && echo fine",
                "--health-interval", "300ms", "--health-retries", "2",
                // failures before /tmp/ready exists fall in the start period, however late the touch runs on a busy machine
                "--health-start-period", "60s", "busybox", "sh", "-c", "sleep 1; touch /tmp/ready; sleep 1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(d.docker("inspect", "--format", "{{.State.Health.Status}}", "h1").out()).isEqualTo("starting\n");

        await(o -> o.equals("healthy\n"), "inspect", "--format", "{{.State.Health.Status}}", "h1");
        assertThat(d.docker("ps", "--format", "{{.Names}} {{.Status}}").out()).matches("h1 Up .* \\(healthy\\)\n");
        String json = d.docker("inspect", "--format", "{{json .State.Health}}", "h1").out();
        assertThat(json).contains("\"Status\":\"healthy\"").contains("\"FailingStreak\":0").contains("\"Output\":\"fine\\n\"")
                .contains("\"ExitCode\":0");

        Cli.Result events = d.docker("events", "--since", since(before), "--until", since(Instant.now()),
                "--filter", "container=h1", "--filter", "event=health_status", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
        assertThat(events.exit()).as(events.toString()).isZero();
        assertThat(events.out()).isEqualTo("container health_status: healthy h1\n");
        assertThat(d.docker("inspect", "--format", "{{.Config.Healthcheck.Test}}", "h1").out())
                .isEqualTo("[CMD-SHELL test -f /tmp/ready && echo fine]\n");
    }

    @Test
    void failingAndTimedOutProbesMakeItUnhealthyAndKeepTheLastFiveResults() {
        d.docker("run", "-d", "--name", "sick", "--health-cmd", "echo no; exit 3", "--health-interval", "100ms",
                "--health-retries", "2", "busybox", "sleep", "1000");
        await(o -> o.equals("unhealthy\n"), "inspect", "--format", "{{.State.Health.Status}}", "sick");
        await(o -> o.equals("5\n"), "inspect", "--format", "{{len .State.Health.Log}}", "sick");
        String json = d.docker("inspect", "--format", "{{json .State.Health}}", "sick").out();
        assertThat(json).contains("\"ExitCode\":3").contains("\"Output\":\"no\\n\"");
        assertThat(Integer.parseInt(d.docker("inspect", "--format", "{{.State.Health.FailingStreak}}", "sick").out().strip()))
                .isGreaterThanOrEqualTo(5);
        assertThat(d.docker("ps", "--format", "{{.Status}}", "--filter", "name=sick").out()).endsWith("(unhealthy)\n");

        d.docker("run", "-d", "--name", "slow", "--health-cmd", "sleep 10", "--health-interval", "100ms",
                "--health-timeout", "200ms", "--health-retries", "1", "busybox", "sleep", "1000");
        await(o -> o.equals("unhealthy\n"), "inspect", "--format", "{{.State.Health.Status}}", "slow");
        assertThat(d.docker("inspect", "--format", "{{json .State.Health.Log}}", "slow").out())
                .contains("\"ExitCode\":-1").contains("Health check exceeded timeout (200ms)");

        d.docker("run", "-d", "--name", "none", "--no-healthcheck", "busybox", "sleep", "1000");
        assertThat(d.docker("inspect", "--format", "{{.State.Health}}", "none").out()).isEqualTo("<nil>\n");
        Cli.Result bad = d.docker("run", "-d", "--health-cmd", "true", "--health-interval", "1us", "busybox", "true");
        assertThat(bad.exit()).isEqualTo(125);
        assertThat(bad.err()).contains("Interval");
    }

    @Test
    void onFailureRestartsUpToItsLimitWithBackoffAndCountsRestarts() {
        Instant before = Instant.now();
        Cli.Result run = d.docker("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 1");
        assertThat(run.exit()).as(run.toString()).isZero();
        await(o -> o.equals("exited 2 1\n"), "inspect", "--format", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "flaky");
        String logs = await(o -> o.equals("run\nrun\nrun\n"), "logs", "flaky");
        assertThat(logs).isEqualTo("run\nrun\nrun\n");
        String starts = d.docker("events", "--since", since(before), "--until", since(Instant.now()), "--filter", "container=flaky",
                "--filter", "event=start", "--format", "{{.Action}} {{.TimeNano}}").out();
        long[] at = starts.lines().mapToLong(l -> Long.parseLong(l.split(" ")[1])).toArray();
        assertThat(at).as(starts).hasSize(3);
        assertThat((at[1] - at[0]) / 1_000_000).as("first delay, ms").isGreaterThanOrEqualTo(100);
        assertThat((at[2] - at[1]) / 1_000_000).as("second delay doubles, ms").isGreaterThanOrEqualTo(200);
        assertThat(d.docker("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
                "flaky").out()).isEqualTo("on-failure:2\n");

        Cli.Result both = d.docker("run", "--rm", "--restart", "always", "busybox", "true");
        assertThat(both.exit()).as(both.toString()).isNotZero();
        assertThat(both.err()).contains("--restart").contains("--rm");
        Cli.Result unknown = d.docker("create", "--restart", "sometimes", "busybox", "true");
        assertThat(unknown.exit()).as(unknown.toString()).isNotZero();
        assertThat(unknown.err()).contains("sometimes");
    }

    @Test
    void stopEndsAnAlwaysContainerAndADaemonKilledAndStartedAgainAppliesThePolicies() throws Exception {
        d.docker("run", "-d", "--name", "keeper", "--restart", "always", "busybox", "sleep", "1000");
        d.docker("run", "-d", "--name", "stopped-unless", "--restart", "unless-stopped", "busybox", "sleep", "1000");
        d.docker("run", "-d", "--name", "stopped-always", "--restart", "always", "busybox", "sleep", "1000");
        d.docker("run", "-d", "--name", "bouncer", "--restart", "always", "busybox", "sh", "-c", "echo up; sleep 1000");
        await(o -> o.equals("up\n"), "logs", "bouncer");
        assertThat(d.docker("stop", "-t", "0", "stopped-unless", "stopped-always").exit()).isZero();
        assertThat(d.docker("ps", "-a", "--format", "{{.Names}} {{.State}}", "--filter", "name=stopped").out().lines().sorted().toList())
                .containsExactly("stopped-always exited", "stopped-unless exited");

        // a run that ends by itself is restarted at once
        long bouncerPid = Long.parseLong(d.docker("inspect", "--format", "{{.State.Pid}}", "bouncer").out().strip());
        ProcessHandle.of(bouncerPid).orElseThrow().destroyForcibly();
        await(o -> o.equals("running 1\n"), "inspect", "--format", "{{.State.Status}} {{.RestartCount}}", "bouncer");
        await(o -> o.equals("up\nup\n"), "logs", "bouncer");

        // the daemon dies; the keeper's process dies while it is away
        long keeperPid = Long.parseLong(d.docker("inspect", "--format", "{{.State.Pid}}", "keeper").out().strip());
        d.daemon.kill();
        ProcessHandle keeper = ProcessHandle.of(keeperPid).orElseThrow();
        keeper.destroyForcibly();
        keeper.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        d.start();

        await(o -> o.equals("running\n"), "inspect", "--format", "{{.State.Status}}", "keeper");
        assertThat(d.docker("inspect", "--format", "{{.State.Pid}}", "keeper").out().strip()).isNotEqualTo(Long.toString(keeperPid));
        await(o -> o.equals("running\n"), "inspect", "--format", "{{.State.Status}}", "stopped-always");
        assertThat(d.docker("inspect", "--format", "{{.State.Status}}", "stopped-unless").out())
                .as("unless-stopped stays stopped after a client's stop").isEqualTo("exited\n");
        assertThat(d.docker("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", "bouncer").out())
                .as("still running from before, untouched").startsWith("running ");
        assertThat(d.docker("exec", "keeper", "echo", "back").out()).isEqualTo("back\n");
    }
}
