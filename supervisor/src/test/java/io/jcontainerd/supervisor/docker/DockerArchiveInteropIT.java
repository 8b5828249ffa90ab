package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker save / docker load between the facade and Debian's real dockerd 20.10 (started here on its own
 * socket, data root, exec root and cgroup parent, with a containerd of its own, no bridge, no iptables,
 * a dead proxy so nothing leaves the machine): an archive saved by the facade loads into dockerd and
 * runs there, and one saved by dockerd loads into the facade and runs here, both with the same image ID.
 */
class DockerArchiveInteropIT {
    @TempDir
    Path dir;
    DockerFixture d;
    Process dockerd;
    Path dockerdSocket;
    final String cgroupParent = "jcdi" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    @BeforeEach
    void start() throws Exception {
        Cli.requireTool("/usr/sbin/dockerd", "docker.io (Debian's dockerd 20.10)");
        d = new DockerFixture(dir.resolve("daemon"));
        dockerd = startDockerd(dir.resolve("dockerd"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            d.close();
        } finally {
            stopDockerd();
        }
    }

    @Test
    void anArchiveSavedByEitherDaemonLoadsIntoTheOtherAndRuns() throws Exception {
        d.pullBusybox();
        String id = d.docker("inspect", "--format", "{{.Id}}", "busybox").out().strip();
        Path ours = dir.resolve("ours.tar");
        assertThat(d.docker("save", "-o", ours.toString(), "busybox").exit()).isZero();

        Cli.Result load = real("load", "-i", ours.toString());
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("Loaded image: busybox:latest");
        assertThat(real("inspect", "--format", "{{.Id}}", "busybox").out().strip()).as("dockerd's image ID").isEqualTo(id);
        Cli.Result run = real("run", "--rm", "--network", "none", "busybox", "echo", "saved by jcontainerd, run by dockerd");
        assertThat(run.out()).as(run.toString()).isEqualTo("saved by jcontainerd, run by dockerd\n");

        assertThat(real("tag", "busybox", "interop/bb:real").exit()).isZero();
        Path theirs = dir.resolve("dockerd.tar");
        assertThat(real("save", "-o", theirs.toString(), "interop/bb:real").exit()).isZero();
        assertThat(d.docker("rmi", "busybox").exit()).isZero();
        Cli.Result back = d.docker("load", "-i", theirs.toString());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(back.out()).contains("Loaded image: interop/bb:real");
        assertThat(d.docker("inspect", "--format", "{{.Id}}", "interop/bb:real").out().strip()).as("our image ID").isEqualTo(id);
        Cli.Result here = d.docker("run", "--rm", "--network", "none", "interop/bb:real", "echo", "saved by dockerd, run by jcontainerd");
        assertThat(here.out()).as(here.toString()).isEqualTo("saved by dockerd, run by jcontainerd\n");
    }

    private Cli.Result real(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DockerFixture.DOCKER, "-H", "unix://" + dockerdSocket));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of("DOCKER_CONFIG", dir.resolve("dockerd-client").toString()), 120);
    }

    private Process startDockerd(Path root) throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve("daemon.json"), "{}");
        dockerdSocket = root.resolve("dockerd.sock");
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/dockerd", "--config-file", root.resolve("daemon.json").toString(),
                "--host", "unix://" + dockerdSocket, "--data-root", root.resolve("data").toString(),
                "--exec-root", root.resolve("exec").toString(), "--pidfile", root.resolve("dockerd.pid").toString(),
                "--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
                "--storage-driver", "overlay2", "--cgroup-parent", "/" + cgroupParent, "--log-level", "warn")
                .redirectErrorStream(true).redirectOutput(root.resolve("dockerd.log").toFile());
        // no registry is asked, and a stray request would hit a dead proxy rather than leave the machine
        pb.environment().putAll(Map.of("HTTP_PROXY", "http://127.0.0.1:9", "HTTPS_PROXY", "http://127.0.0.1:9",
                "NO_PROXY", "127.0.0.1,localhost"));
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!DaemonProcess.answers(dockerdSocket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("dockerd did not serve " + dockerdSocket + ":\n" + Files.readString(root.resolve("dockerd.log")));
            }
            Thread.onSpinWait();
        }
        return p;
    }

    /** dockerd (SIGTERM: it stops its containerd), then its containerd if still there, then the cgroup parent it made. */
    private void stopDockerd() throws Exception {
        if (dockerd == null) {
            return;
        }
        Path containerdPid = dir.resolve("dockerd/exec/containerd/containerd.pid");
        long ctrd = Files.exists(containerdPid) ? Long.parseLong(Files.readString(containerdPid).strip()) : -1;
        dockerd.destroy();
        if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
            dockerd.destroyForcibly();
            dockerd.waitFor(10, TimeUnit.SECONDS);
        }
        if (ctrd > 0) {
            ProcessHandle.of(ctrd).filter(h -> h.info().command().orElse("").endsWith("containerd")).ifPresent(h -> {
                h.destroy();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
            });
        }
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent);
                if (Files.isDirectory(parent)) {
                    Files.delete(parent);
                }
            }
        }
        Path unified = Path.of("/sys/fs/cgroup", cgroupParent);
        if (Files.isDirectory(unified)) {
            Files.delete(unified);
        }
    }
}
