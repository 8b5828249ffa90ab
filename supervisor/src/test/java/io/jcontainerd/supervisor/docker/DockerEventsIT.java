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

        String bridge = ok("network", "inspect", "--format", "{{.Id}}", "bridge").strip();
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
                "network connect " + bridge + " bridge bridge " + c,
                "network connect " + net + " evnet-" + token + " bridge " + c,
                "network disconnect " + net + " evnet-" + token + " bridge " + c,
                "network destroy " + net + " evnet-" + token + " bridge",
                "container exec_create: echo hi " + c + " ev-" + token + "   " + exec,
                "container exec_start: echo hi " + c + " ev-" + token + "   " + exec,
                "container exec_die " + c + " ev-" + token + "   " + exec + " 0",
                "network disconnect " + bridge + " bridge bridge " + c,
                "image untag " + image + " " + image,
                "image delete " + image + " " + image);
    }

    /**
     * What dockerd 20.10 sent for the same commands (captured side by side with scripts/docker-side-by-side.sh's
     * set-up): a foreground run is attached after its create; every run joins its network before its start
     * event and leaves it after its die event (none and host are networks of types null and host; a
     * container:ID run joins none); a stop is kill with the stop signal, kill 9 after the timeout, die,
     * disconnect, stop; rm -f of a running container is kill 9 first.
     */
    @Test
    void runsAttachJoinAndLeaveTheirNetworkAndStopsKillAsDockerdSendsIt() {
        d.pullBusybox();
        String bridge = ok("network", "inspect", "--format", "{{.Id}}", "bridge").strip();
        String host = ok("network", "inspect", "--format", "{{.Id}}", "host").strip();
        String none = ok("network", "inspect", "--format", "{{.Id}}", "none").strip();
        long since = Instant.now().getEpochSecond();
        ok("run", "--rm", "--name", "evr-" + token, "busybox", "true");
        ok("run", "--rm", "--name", "evh-" + token, "--network", "host", "busybox", "true");
        ok("run", "--rm", "--name", "evn-" + token, "--network", "none", "busybox", "true");
        String s = ok("run", "-d", "--name", "evs-" + token, "busybox", "sleep", "1000").strip();
        ok("run", "--rm", "--name", "evc-" + token, "--network", "container:" + s, "busybox", "true");
        ok("stop", "-t", "1", s); // sleep as PID 1 ignores SIGTERM: SIGKILL after 1 s
        ok("start", s);
        ok("rm", "-f", s);
        long until = Instant.now().getEpochSecond() + 1;

        Cli.Result events = d.docker("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}");
        assertThat(events.exit()).as(events.toString()).isZero();
        // the pull's image event may share the window's first second
        List<String> seen = events.out().lines().filter(l -> !l.startsWith("image ")).toList();
        List<String> ids = seen.stream().filter(l -> l.startsWith("container create ")).map(l -> l.split(" ")[2]).toList();
        assertThat(ids).hasSize(5);
        String r = ids.get(0);
        String h = ids.get(1);
        String n = ids.get(2);
        String c = ids.get(4);
        assertThat(seen).containsExactly(
                container("create", r, "evr"), container("attach", r, "evr"), network("connect", bridge, "bridge", "bridge", r),
                container("start", r, "evr"), container("die", r, "evr", "\"exitCode\":\"0\",", ""),
                network("disconnect", bridge, "bridge", "bridge", r), container("destroy", r, "evr"),
                container("create", h, "evh"), container("attach", h, "evh"), network("connect", host, "host", "host", h),
                container("start", h, "evh"), container("die", h, "evh", "\"exitCode\":\"0\",", ""),
                network("disconnect", host, "host", "host", h), container("destroy", h, "evh"),
                container("create", n, "evn"), container("attach", n, "evn"), network("connect", none, "none", "null", n),
                container("start", n, "evn"), container("die", n, "evn", "\"exitCode\":\"0\",", ""),
                network("disconnect", none, "none", "null", n), container("destroy", n, "evn"),
                container("create", s, "evs"), network("connect", bridge, "bridge", "bridge", s), container("start", s, "evs"),
                container("create", c, "evc"), container("attach", c, "evc"), container("start", c, "evc"),
                container("die", c, "evc", "\"exitCode\":\"0\",", ""), container("destroy", c, "evc"),
                container("kill", s, "evs", "", ",\"signal\":\"15\""), container("kill", s, "evs", "", ",\"signal\":\"9\""),
                container("die", s, "evs", "\"exitCode\":\"137\",", ""), network("disconnect", bridge, "bridge", "bridge", s),
                container("stop", s, "evs"),
                network("connect", bridge, "bridge", "bridge", s), container("start", s, "evs"),
                container("kill", s, "evs", "", ",\"signal\":\"9\""), container("die", s, "evs", "\"exitCode\":\"137\",", ""),
                network("disconnect", bridge, "bridge", "bridge", s), container("destroy", s, "evs"));
    }

    private String container(String action, String id, String name) {
        return container(action, id, name, "", "");
    }

    private String container(String action, String id, String name, String before, String after) {
        return "container " + action + " " + id + " {" + before + "\"image\":\"busybox\",\"name\":\"" + name + "-" + token + "\"" + after + "}";
    }

    private static String network(String action, String id, String name, String type, String container) {
        return "network " + action + " " + id + " {\"container\":\"" + container + "\",\"name\":\"" + name + "\",\"type\":\"" + type + "\"}";
    }

    private String ok(String... args) {
        Cli.Result r = d.docker(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r).isZero();
        return r.out();
    }
}
