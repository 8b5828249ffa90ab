package io.jcontainerd.proto.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's containerd (1.6) on a private socket, root and state under a temp dir, CRI disabled.
 * Needs root and the containerd package; fails with the reason otherwise. Other modules' tests use
 * it through this module's test-jar (content-store's ReferenceContainerd drives it with ctr).
 */
public final class RealContainerd implements AutoCloseable {

    private final Path dir;
    private final Process process;
    private final Path socket;

    private RealContainerd(Path dir, Process process, Path socket) {
        this.dir = dir;
        this.process = process;
        this.socket = socket;
    }

    public static RealContainerd start() throws IOException, InterruptedException {
        Path binary = Path.of("/usr/bin/containerd");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "/usr/bin/containerd not found: install Debian's containerd package (apt-get install containerd)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("containerd needs root: run this test as root (CI does)");
        }
        Path dir = Files.createTempDirectory("jcd-real-containerd-");
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, String.join("\n",
                "version = 2",
                "root = \"" + dir.resolve("root") + "\"",
                "state = \"" + dir.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                "[grpc]",
                "  address = \"" + socket + "\"",
                "[ttrpc]",
                "  address = \"" + socket + ".ttrpc\"",
                "[plugins.\"io.containerd.internal.v1.opt\"]",
                "  path = \"" + dir.resolve("opt") + "\"",
                ""));
        Process process = new ProcessBuilder(binary.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile())
                .start();
        RealContainerd containerd = new RealContainerd(dir, process, socket);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("containerd.log"));
                containerd.close();
                throw new IllegalStateException("containerd did not start serving " + socket + ":\n" + log);
            }
            Thread.sleep(20);
        }
        return containerd;
    }

    public Path socket() {
        return socket;
    }

    /** The temp dir holding its root, state and log; removed by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        unmountLeftovers();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** containerd unmounts its temporary mounts itself; this only matters after a crash. */
    private void unmountLeftovers() throws IOException, InterruptedException {
        List<String> mounted = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(line -> line.split(" ")[1])
                .filter(target -> target.startsWith(dir.toString()))
                .sorted(Comparator.reverseOrder())
                .toList();
        for (String target : mounted) {
            new ProcessBuilder("umount", "-l", target).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
