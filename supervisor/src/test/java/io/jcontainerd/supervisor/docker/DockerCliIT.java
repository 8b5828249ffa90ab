package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker CLI 28 against jcontainerd's Docker API, as a user types it: what it prints
 * and its exit codes for run, run -d, ps, logs, exec, stop, rm, pull, images, inspect, tag, rmi.
 */
class DockerCliIT {
    @TempDir
    Path dir;
    DockerFixture d;

    @BeforeEach
    void start() {
        d = new DockerFixture(dir);
    }

    @AfterEach
    void stop() {
        d.close();
    }

    @Test
    void runRemovePullsTheMissingImagePrintsTheOutputAndReturnsTheExitCode() throws Exception {
        Cli.Result hi = d.docker("run", "--rm", "busybox", "echo", "hi");
        assertThat(hi.exit()).as(hi.toString()).isZero();
        assertThat(hi.out()).isEqualTo("hi\n");
        assertThat(hi.err()).contains("Unable to find image 'busybox:latest' locally").contains("Pull complete")
                .contains("Status: Downloaded newer image for busybox:latest");

        Cli.Result three = d.docker("run", "--rm", "busybox", "sh", "-c", "echo to-err >&2; exit 3");
        assertThat(three.exit()).isEqualTo(3);
        assertThat(three.err()).isEqualTo("to-err\n");
        assertThat(d.docker("ps", "-aq").out()).as("--rm removed both").isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket))).isEqualTo("rw-rw----");
    }

    @Test
    void detachedContainerIsListedLogsExecsStopsAndIsRemoved() {
        d.pullBusybox();
        Cli.Result run = d.docker("run", "-d", "--name", "web1", "busybox", "sh", "-c",
                "echo started; echo warn >&2; trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done");
        assertThat(run.exit()).as(run.toString()).isZero();
        String id = run.out().strip();
        assertThat(id).matches("[0-9a-f]{64}");

        Cli.Result ps = d.docker("ps", "--format", "{{.ID}} {{.Image}} {{.Names}} {{.Status}}");
        assertThat(ps.out()).startsWith(id.substring(0, 12) + " busybox web1 Up ");

        awaitLogs("web1", "started\n");
        Cli.Result logs = d.docker("logs", "web1");
        assertThat(logs.out()).isEqualTo("started\n");
        assertThat(logs.err()).isEqualTo("warn\n");

        Cli.Result exec = d.docker("exec", "web1", "sh", "-c", "cat /etc/hostname; echo e >&2; exit 5");
        assertThat(exec.exit()).isEqualTo(5);
        assertThat(exec.out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(exec.err()).isEqualTo("e\n");
        assertThat(d.sh("echo piped | docker exec -i web1 cat").out()).isEqualTo("piped\n");

        assertThat(d.docker("inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Image}}", "web1").out())
                .isEqualTo("running true /web1 busybox\n");

        Cli.Result top = d.docker("top", "web1");
        assertThat(top.out()).as(top.toString()).startsWith("UID").contains("while true");

        Cli.Result stop = d.docker("stop", "web1");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(d.docker("logs", "web1").out()).as("the trap ran on SIGTERM").isEqualTo("started\nbye\n");
        assertThat(d.docker("ps", "-a", "--format", "{{.Names}} {{.Status}}").out()).startsWith("web1 Exited (0) ");
        assertThat(d.docker("ps", "-q").out()).isEmpty();

        Cli.Result rm = d.docker("rm", "web1");
        assertThat(rm.exit()).isZero();
        assertThat(rm.out()).isEqualTo("web1\n");
        Cli.Result gone = d.docker("inspect", "web1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("No such object: web1");
    }

    @Test
    void forceRemoveKillsARunningContainerAndPlainRemoveRefusesIt() {
        d.pullBusybox();
        d.docker("run", "-d", "--name", "sleeper", "busybox", "sleep", "1000");
        Cli.Result refused = d.docker("rm", "sleeper");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("You cannot remove a running container");
        Cli.Result forced = d.docker("rm", "-f", "sleeper");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(d.docker("ps", "-aq").out()).isEmpty();
        Cli.Result conflict = d.docker("run", "-d", "--name", "twice", "busybox", "sleep", "1000");
        assertThat(conflict.exit()).isZero();
        Cli.Result again = d.docker("run", "-d", "--name", "twice", "busybox", "true");
        assertThat(again.exit()).isEqualTo(125);
        assertThat(again.err()).contains("The container name \"/twice\" is already in use");
    }

    @Test
    void imagesArePulledListedInspectedTaggedAndRemoved() {
        Cli.Result pull = d.docker("pull", "busybox");
        assertThat(pull.exit()).as(pull.toString()).isZero();
        assertThat(pull.out()).contains("latest: Pulling from library/busybox").contains("Digest: sha256:")
                .endsWith("docker.io/library/busybox:latest\n");
        assertThat(d.docker("pull", "busybox").out()).contains("Status: Image is up to date for busybox:latest");

        String id = d.docker("image", "inspect", "--format", "{{.Id}}", "busybox").out().strip();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(d.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").out())
                .isEqualTo("busybox:latest " + id.substring(7, 19) + "\n");

        assertThat(d.docker("tag", "busybox", "probe/tmp:1").exit()).isZero();
        assertThat(d.docker("images", "--format", "{{.Repository}}:{{.Tag}}").out().lines().sorted().toList())
                .containsExactly("busybox:latest", "probe/tmp:1");
        Cli.Result rmi = d.docker("rmi", "probe/tmp:1");
        assertThat(rmi.out()).isEqualTo("Untagged: probe/tmp:1\n");
        Cli.Result missing = d.docker("image", "inspect", "nosuch:1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("No such image: nosuch:1");
    }

    @Test
    void ttyStdinInitAndResourceOptionsReachTheProcess() {
        d.pullBusybox();
        assertThat(d.docker("run", "--rm", "-t", "busybox", "echo", "tty").out()).isEqualTo("tty\r\n");
        assertThat(d.sh("echo fed | docker run -i --rm busybox cat").out()).isEqualTo("fed\n");
        assertThat(d.docker("run", "--rm", "--init", "busybox", "cat", "/proc/1/cmdline").out().replace('\0', ' '))
                .isEqualTo("/sbin/docker-init -- cat /proc/1/cmdline ");
        assertThat(d.docker("run", "--rm", "-e", "FOO=bar", "-w", "/tmp", "-u", "nobody", "busybox", "sh", "-c",
                "echo $FOO $(pwd) $(id -un)").out()).isEqualTo("bar /tmp nobody\n");
        assertThat(d.docker("run", "--rm", "-u", "nobody:tty", "--group-add", "disk", "busybox", "sh", "-c", "echo $(id -u) $(id -g) $(id -G)").out())
                .as("user:group and --group-add by name, from the image's /etc/passwd and /etc/group").isEqualTo("65534 5 5 6\n");
        assertThat(d.docker("run", "--rm", "-u", "1234:5678", "busybox", "sh", "-c", "echo $(id -u) $(id -g)").out()).isEqualTo("1234 5678\n");
        Cli.Result noUser = d.docker("run", "--rm", "-u", "nosuch", "busybox", "true");
        assertThat(noUser.exit()).isEqualTo(125);
        assertThat(noUser.err()).contains("unable to find user nosuch: no matching entries in passwd file");
        assertThat(d.docker("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link").out())
                .contains("lo:").doesNotContain("eth0");
        assertThat(d.docker("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0").out())
                .as("the default network is the bridge").contains("inet ");
        assertThat(d.docker("run", "--rm", "--read-only", "busybox", "touch", "/x").exit()).isEqualTo(1);
        Cli.Result unsupported = d.docker("run", "--rm", "--device", "/dev/fuse", "busybox", "true");
        assertThat(unsupported.exit()).isEqualTo(125);
        assertThat(unsupported.err()).contains("HostConfig.Devices");
    }

    @Test
    void logsAndStateSurviveADaemonRestart() {
        d.pullBusybox();
        Cli.Result run = d.docker("run", "--name", "once", "busybox", "sh", "-c", "echo one; echo two");
        assertThat(run.out()).isEqualTo("one\ntwo\n");
        d.docker("run", "-d", "--name", "keeps", "busybox", "sh", "-c", "echo before; sleep 1000");
        awaitLogs("keeps", "before\n");
        d.restart();
        assertThat(d.docker("logs", "once").out()).isEqualTo("one\ntwo\n");
        assertThat(d.docker("logs", "--tail", "1", "once").out()).isEqualTo("two\n");
        assertThat(d.docker("ps", "-a", "--format", "{{.Names}} {{.State}}").out().lines().sorted().toList())
                .containsExactly("keeps running", "once exited");
        assertThat(d.docker("exec", "keeps", "echo", "still").out()).isEqualTo("still\n");
        Cli.Result stopped = d.docker("stop", "-t", "1", "keeps");
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(d.docker("inspect", "--format", "{{.State.ExitCode}}", "keeps").out()).isEqualTo("137\n");
    }

    @Test
    void aPublishedPortReachesTheContainerAndTheBridgeHasItsGateway() throws Exception {
        d.pullBusybox();
        Cli.Result run = d.docker("run", "-d", "--name", "web", "-p", "127.0.0.1::8080", "busybox", "sh", "-c",
                "mkdir /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www");
        assertThat(run.exit()).as(run.toString()).isZero();
        String port = d.docker("port", "web", "8080/tcp").out().strip();
        assertThat(port).matches("127\\.0\\.0\\.1:\\d+");
        var client = java.net.http.HttpClient.newHttpClient();
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + port + "/index.html")).build();
        String body = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (body == null) {
            try {
                body = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("nothing answered on " + port + ": " + d.docker("logs", "web"), e);
                }
            }
        }
        assertThat(body).isEqualTo("hello\n");
        assertThat(d.docker("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}").out())
                .matches("\\d+\\.\\d+\\.\\d+\\.\\d+\n");
        assertThat(d.docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "web").out()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+\n");
        assertThat(d.docker("network", "ls", "--format", "{{.Name}}").out().lines().toList()).contains("bridge", "host", "none");
    }

    @Test
    void containersOnAUserNetworkReachEachOtherByName() {
        d.pullBusybox();
        assertThat(d.docker("network", "create", "backend").exit()).isZero();
        d.docker("run", "-d", "--name", "db", "--network", "backend", "busybox", "sleep", "1000");
        Cli.Result ping = d.docker("run", "--rm", "--network", "backend", "busybox", "ping", "-c", "1", "-W", "5", "db");
        assertThat(ping.exit()).as(ping.toString()).isZero();
        assertThat(ping.out()).contains("1 packets received");
        d.docker("rm", "-f", "db");
        assertThat(d.docker("network", "rm", "backend").exit()).isZero();
    }

    @Test
    void cpCopiesFilesIntoAndOutOfCreatedAndRunningContainers() throws Exception {
        d.pullBusybox();
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "payload\n");
        assertThat(d.docker("create", "--name", "box", "busybox", "cat", "/tmp/in.txt").exit()).isZero();
        Cli.Result cpIn = d.docker("cp", in.toString(), "box:/tmp/");
        assertThat(cpIn.exit()).as(cpIn.toString()).isZero();
        assertThat(d.docker("start", "-a", "box").out()).isEqualTo("payload\n");
        Cli.Result cpOut = d.docker("cp", "box:/tmp/in.txt", dir.resolve("back.txt").toString());
        assertThat(cpOut.exit()).as(cpOut.toString()).isZero();
        assertThat(Files.readString(dir.resolve("back.txt"))).isEqualTo("payload\n");

        d.docker("run", "-d", "--name", "live", "busybox", "sh", "-c", "mkdir /tmp/made; echo made > /tmp/made/f; echo up; sleep 1000");
        awaitLogs("live", "up\n");
        assertThat(d.docker("cp", "live:/tmp/made", dir.toString()).exit()).isZero();
        assertThat(Files.readString(dir.resolve("made/f"))).isEqualTo("made\n");
        assertThat(d.docker("cp", in.toString(), "live:/tmp/made/").exit()).isZero();
        assertThat(d.docker("exec", "live", "cat", "/tmp/made/in.txt").out()).isEqualTo("payload\n");
        Cli.Result missing = d.docker("cp", "live:/nosuch", dir.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Could not find the file /nosuch in container live");
    }

    @Test
    void errorsComeInDockersShape() {
        Cli.Result stop = d.docker("stop", "-t", "2", "nosuch");
        assertThat(stop.exit()).isEqualTo(1);
        assertThat(stop.err()).contains("Error response from daemon: No such container: nosuch");
    }

    private void awaitLogs(String name, String expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!d.docker("logs", name).out().equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("docker logs " + name + " never printed " + expected + ": " + d.docker("logs", name));
            }
            Thread.onSpinWait();
        }
    }
}
