package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image, exec and network events in {@code docker events --since .. --until ..} with dockerd
 * 20.10's Type, Action, Actor ID and attributes, through the real docker CLI 28.
 */
class DockerEventsIT {
    private static final String FORMAT = "{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"name\"}}"
            + " {{index .Actor.Attributes \"type\"}} {{index .Actor.Attributes \"container\"}}"
            + " {{index .Actor.Attributes \"execID\"}} {{index .Actor.Attributes \"exitCode\"}}";
    @TempDir
    Path dir;
    DockerFixture d;
    private final String token = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    @BeforeEach
    void start() {
        d = new DockerFixture(dir);
    }

    @AfterEach
    void stop() {
        d.docker("network", "rm", "evnet-" + token);
        d.close();
    }

    @Test
    void imageExecAndNetworkEventsAreReplayedAsDockerd() {
        long since = Instant.now().getEpochSecond();
        d.pullBusybox();
        String image = ok("image", "inspect", "--format", "{{.Id}}", "busybox").strip();
        ok("tag", "busybox", "ev-" + token + ":v1");
        ok("rmi", "ev-" + token + ":v1");

        String net = ok("network", "create", "evnet-" + token).strip();
        String c = ok("run", "-d", "--name", "ev-" + token, "busybox", "sleep", "1000").strip();
        ok("network", "connect", "evnet-" + token, c);
        ok("network", "disconnect", "evnet-" + token, c);
        ok("network", "rm", "evnet-" + token);
        assertThat(ok("exec", c, "echo", "hi")).isEqualTo("hi\n");
        ok("rm", "-f", c);
        ok("rmi", "busybox");
        long until = Instant.now().getEpochSecond() + 1;

        Cli.Result events = d.docker("events", "--since", Long.toString(since), "--until", Long.toString(until), "--format", FORMAT);
        assertThat(events.exit()).as(events.toString()).isZero();
        List<String> seen = events.out().lines().map(String::strip)
                .filter(l -> l.startsWith("image ") || l.startsWith("network ") || l.startsWith("container exec_")).toList();
        String exec = seen.stream().filter(l -> l.startsWith("container exec_create")).findFirst().orElseThrow(
                () -> new AssertionError("no exec_create in " + events.out())).replaceAll(".* ", "");
        assertThat(exec).matches("[0-9a-f]{64}");
        assertThat(seen).containsExactly(
                "image pull busybox:latest busybox:latest",
                "image tag " + image + " ev-" + token + ":v1",
                "image untag " + image + " " + image,
                "network create " + net + " evnet-" + token + " bridge",
                "network connect " + net + " evnet-" + token + " bridge " + c,
                "network disconnect " + net + " evnet-" + token + " bridge " + c,
                "network destroy " + net + " evnet-" + token + " bridge",
                "container exec_create: echo hi " + c + " ev-" + token + "   " + exec,
                "container exec_start: echo hi " + c + " ev-" + token + "   " + exec,
                "container exec_die " + c + " ev-" + token + "   " + exec + " 0",
                "image untag " + image + " " + image,
                "image delete " + image + " " + image);
    }

    private String ok(String... args) {
        Cli.Result r = d.docker(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r).isZero();
        return r.out();
    }
}
