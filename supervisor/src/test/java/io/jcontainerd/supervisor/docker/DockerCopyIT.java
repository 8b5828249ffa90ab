package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker cp} as a user types it, for what is hard about it: a body of hundreds of MiB
 * streamed with bounded daemon memory, and a running container that puts symlinks in the way
 * (also while the copy runs) never gets a file written to, or read from, the host.
 */
class DockerCopyIT {
    @TempDir
    Path dir;
    DockerFixture d;
    final String tag = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

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
    void a300MiBCopyIntoARunningContainerIsStreamedWithBoundedDaemonMemory() throws Exception {
        String name = "big-" + tag;
        Cli.Result run = d.docker("run", "-d", "--network", "none", "--name", name, "busybox", "sleep", "1000");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path big = dir.resolve("big");
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 300; i++) {
                ThreadLocalRandom.current().nextBytes(block);
                md5.update(block);
                out.write(block);
            }
        }
        long before = rssKiB(d.daemon.pid());
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(rssKiB(d.daemon.pid()), Math::max);
                try {
                    Thread.sleep(20); // a sampling period, not a wait for something
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long t0 = System.nanoTime();
        Cli.Result cp = d.docker("cp", big.toString(), name + ":/tmp/big");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        sampler.interrupt();
        sampler.join();
        assertThat(cp.exit()).as(cp.toString()).isZero();
        System.out.printf("docker cp of 300 MiB into a running container: %d ms, daemon RSS %d MiB before, %d MiB peak (+%d MiB)%n",
                ms, before >> 10, peak.get() >> 10, (peak.get() - before) >> 10);
        assertThat(d.docker("exec", name, "md5sum", "/tmp/big").out())
                .startsWith(HexFormat.of().formatHex(md5.digest()));
        assertThat((peak.get() - before) >> 10).as("daemon RSS growth in MiB during a 300 MiB copy").isLessThan(128);
    }

    @Test
    void aJsonBodyLargerThan16MiBIsA413NamingTheLimit() throws Exception {
        Path body = dir.resolve("huge.json");
        Files.writeString(body, "{\"Image\":\"busybox\",\"Labels\":{\"x\":\"" + "a".repeat(17 << 20) + "\"}}");
        Cli.Result r = Cli.run(List.of("curl", "-sS", "--unix-socket", d.socket.toString(), "-o", "-", "-w", "\\n%{http_code}",
                "-H", "Content-Type: application/json", "--data-binary", "@" + body, "http://docker/v1.44/containers/create"), Map.of(), 60);
        assertThat(r.out()).as(r.toString()).endsWith("\n413")
                .contains("larger than 16 MiB, the limit for request bodies read whole");
        assertThat(d.docker("version", "--format", "{{.Server.Version}}").exit()).as("the daemon still serves").isZero();
    }

    @Test
    void copyIntoASymlinkToRootAndIntoOneTheContainerKeepsSwappingLandsInsideTheContainer() throws Exception {
        String name = "swap-" + tag;
        String hostName = "jcd-cp-escape-" + tag;
        Path onHost = Path.of("/" + hostName);
        // /target is a symlink to "/"; once /go exists, it flips between that and a directory as fast as the container can
        Cli.Result run = d.docker("run", "-d", "--network", "none", "--name", name, "busybox", "sh", "-c",
                "ln -s / /target; echo up; while [ ! -e /go ]; do sleep 0.05; done; "
                        + "while :; do rm -rf /target; mkdir /target; rm -rf /target; ln -s / /target; done");
        assertThat(run.exit()).as(run.toString()).isZero();
        awaitLogs(name, "up\n");
        Path file = dir.resolve(hostName);
        Files.writeString(file, "from the host\n");
        try {
            Cli.Result cp = d.docker("cp", file.toString(), name + ":/target/" + hostName);
            assertThat(cp.exit()).as(cp.toString()).isZero();
            assertThat(d.docker("exec", name, "cat", "/" + hostName).out()).as("/target/x is the container's /x").isEqualTo("from the host\n");
            assertThat(onHost).as("docker cp wrote to the host's /").doesNotExist();

            assertThat(d.docker("exec", name, "touch", "/go").exit()).isZero();
            for (int i = 0; i < 40; i++) {
                d.docker("cp", file.toString(), name + ":/target/" + hostName);
                assertThat(onHost).as("copy %d into the swapping path wrote to the host's /", i).doesNotExist();
            }
        } finally {
            Files.deleteIfExists(onHost);
        }
    }

    @Test
    void copyOutOfASymlinkToAHostPathReadsTheContainersFileNeverTheHosts() throws Exception {
        String name = "leak-" + tag;
        Path secret = Files.createDirectories(Path.of("/tmp/jcd-cp-secret-" + tag));
        Files.writeString(secret.resolve("file"), "HOST SECRET\n");
        try {
            Cli.Result run = d.docker("run", "-d", "--network", "none", "--name", name, "busybox", "sh", "-c",
                    "mkdir -p " + secret + "; echo container > " + secret + "/file; ln -s " + secret + "/file /etc/link-to-host-file; "
                            + "mkdir /flip; echo up; while :; do ln -sfn " + secret + " /f.new; mv -f /f.new /flip.l 2>/dev/null; "
                            + "rm -rf /flip; mv /flip.l /flip 2>/dev/null; rm -f /flip; mkdir /flip; echo mine > /flip/file; done");
            assertThat(run.exit()).as(run.toString()).isZero();
            awaitLogs(name, "up\n");

            Path out = Files.createDirectories(dir.resolve("out"));
            Cli.Result followed = d.docker("cp", "-L", name + ":/etc/link-to-host-file", out.resolve("followed").toString());
            assertThat(followed.exit()).as(followed.toString()).isZero();
            assertThat(Files.readString(out.resolve("followed"))).isEqualTo("container\n");

            Path hostOnly = Files.createDirectories(Path.of("/tmp/jcd-cp-hostonly-" + tag));
            try {
                Files.writeString(hostOnly.resolve("file"), "HOST ONLY\n");
                assertThat(d.docker("exec", name, "ln", "-s", hostOnly + "/file", "/etc/dangling").exit()).isZero();
                Cli.Result dangling = d.docker("cp", "-L", name + ":/etc/dangling", out.resolve("dangling").toString());
                assertThat(dangling.exit()).as("a link to a file only the host has: %s", dangling).isEqualTo(1);
                assertThat(out.resolve("dangling")).doesNotExist();
            } finally {
                Files.deleteIfExists(hostOnly.resolve("file"));
                Files.deleteIfExists(hostOnly);
            }

            Cli.Result link = d.docker("cp", name + ":/etc/link-to-host-file", out.toString());
            assertThat(link.exit()).as(link.toString()).isZero();
            assertThat(Files.isSymbolicLink(out.resolve("link-to-host-file"))).as("without -L the link itself is copied").isTrue();

            for (int i = 0; i < 40; i++) {
                Path to = out.resolve("race-" + i);
                d.docker("cp", name + ":/flip/file", to.toString());
                if (Files.isRegularFile(to)) {
                    // "" is the container's /flip/file between its creation and echo's write; never "HOST SECRET"
                    assertThat(Files.readString(to)).as("copy %d read the container's file", i).isIn("", "container\n", "mine\n");
                }
            }
        } finally {
            try (var files = Files.walk(secret)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void copyOutOfAFifoFinishesPromptlyAndYieldsAFifoAsDockerdDoesEvenWhenTheContainerSwapsOneInForAFile() throws Exception {
        String name = "fifo-" + tag;
        // /tmp/f is a FIFO nobody writes to; /tmp/s flips between a regular file and a FIFO as fast as the container can
        Cli.Result run = d.docker("run", "-d", "--network", "none", "--name", name, "busybox", "sh", "-c",
                "mkfifo /tmp/f; echo up; while :; do rm -f /tmp/s; echo x > /tmp/s; rm -f /tmp/s; mkfifo /tmp/s; done");
        assertThat(run.exit()).as(run.toString()).isZero();
        awaitLogs(name, "up\n");
        Path out = Files.createDirectories(dir.resolve("fifo-out"));

        // dockerd (pkg/archive addTarFile) writes a FIFO as a tar FIFO header and never reads it; the CLI makes a FIFO
        Cli.Result cp = copyOut(name + ":/tmp/f", out.resolve("f"));
        assertThat(cp.exit()).as(cp.toString()).isZero();
        assertThat(fileType(out.resolve("f"))).as("docker cp c:/tmp/f yields a FIFO").isEqualTo(0010000);

        Cli.Result tree = copyOut(name + ":/tmp", out.resolve("tmp"));
        assertThat(tree.exit()).as(tree.toString()).isZero();
        assertThat(fileType(out.resolve("tmp/f"))).as("a FIFO in a copied directory stays a FIFO").isEqualTo(0010000);

        int files = 0;
        int fifos = 0;
        int gone = 0;
        for (int i = 0; i < 40; i++) {
            Path to = out.resolve("s-" + i);
            Cli.Result r = copyOut(name + ":/tmp/s", to);
            if (r.exit() != 0 || !Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                gone++; // /tmp/s was missing at that instant (dockerd too leaves out a file removed during the copy)
                continue;
            }
            int type = fileType(to);
            if (type == 0100000) {
                files++;
                assertThat(Files.readString(to)).as("copy %d of the swapped path", i).isIn("", "x\n");
            } else {
                assertThat(type).as("copy %d of the swapped path is a file or a FIFO", i).isEqualTo(0010000);
                fifos++;
            }
        }
        System.out.printf("docker cp of a path flipping between a file and a FIFO: %d files, %d FIFOs, %d missing, 40 copies, none hung%n",
                files, fifos, gone);
    }

    /** docker cp out of a container, the CLI process bounded to 30 s: a copy that blocks fails the test, never hangs it. */
    private Cli.Result copyOut(String from, Path to) {
        return Cli.run(List.of(DockerFixture.DOCKER, "cp", from, to.toString()), d.env(), 30);
    }

    private static int fileType(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 0170000;
    }

    private static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read the daemon's RSS: " + e.getMessage(), e);
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }

    private void awaitLogs(String name, String expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!d.docker("logs", name).out().startsWith(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("docker logs " + name + " never printed " + expected + ": " + d.docker("logs", name));
            }
            Thread.onSpinWait();
        }
    }
}
