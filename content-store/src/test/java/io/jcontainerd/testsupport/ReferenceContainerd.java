package io.jcontainerd.testsupport;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's containerd 1.6 on a private socket (root and state under a temp dir, CRI disabled),
 * driven with Debian's ctr: the reference to compare our pulls and unpacked trees with. It pulls
 * from a {@link TestRegistry} through its hosts dir, as a user with a docker.io mirror would.
 * Needs root; fails with the reason otherwise.
 */
public final class ReferenceContainerd implements AutoCloseable {

    private final Path dir;
    private final Process process;
    private final Path socket;

    private ReferenceContainerd(Path dir, Process process, Path socket) {
        this.dir = dir;
        this.process = process;
        this.socket = socket;
    }

    public static ReferenceContainerd start() {
        FixtureScripts.requireTool("containerd", "containerd");
        FixtureScripts.requireTool("ctr", "containerd");
        if (!"root".equals(System.getProperty("user.name"))) {
            throw JcdException.failedPrecondition("containerd needs root: run this test as root (CI does)");
        }
        try {
            Path dir = Files.createTempDirectory("jcd-reference-containerd-");
            Path socket = dir.resolve("containerd.sock");
            Path config = Files.writeString(dir.resolve("config.toml"), String.join("\n",
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
            Process process = new ProcessBuilder("containerd", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
            ReferenceContainerd containerd = new ReferenceContainerd(dir, process, socket);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(socket)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("containerd.log"));
                    containerd.close();
                    throw JcdException.unavailable("containerd did not start serving %s; its log:%n%s", socket, log);
                }
                Thread.sleep(20);
            }
            return containerd;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start containerd", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while starting containerd");
        }
    }

    public Path socket() {
        return socket;
    }

    /** Runs {@code ctr -a <socket> <args>} and returns its stdout; fails with its stderr. */
    public String ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", socket.toString()));
        command.addAll(List.of(args));
        return FixtureScripts.runCommand(command, Map.of(), Duration.ofMinutes(5));
    }

    /** Pulls (and unpacks for overlayfs) {@code docker.io/library/<nameAndTag>} from the registry via its hosts dir. */
    public void pull(TestRegistry registry, String nameAndTag) {
        ctr("images", "pull", "--hosts-dir", registry.hostsDir().toString(), TestRegistry.dockerHubReference(nameAndTag));
    }

    /** The digest containerd recorded for a pulled image ({@code ctr images ls}). */
    public String imageDigest(String nameAndTag) {
        String ref = TestRegistry.dockerHubReference(nameAndTag);
        return ctr("images", "ls").lines().map(l -> l.split("\\s+")).filter(f -> f[0].equals(ref)).map(f -> f[2])
                .findFirst().orElseThrow(() -> JcdException.notFound("containerd has no image %s; pull it first", ref));
    }

    /**
     * Mounts a read-only view of a pulled image's root filesystem at a new directory; close the
     * returned mount to unmount it and remove the view.
     */
    public Mounted mount(String nameAndTag) {
        try {
            Path target = Files.createTempDirectory(dir, "mnt-");
            ctr("images", "mount", TestRegistry.dockerHubReference(nameAndTag), target.toString());
            return new Mounted(this, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a mount point under " + dir, e);
        }
    }

    /** An image's root filesystem as containerd unpacked it. */
    public record Mounted(ReferenceContainerd containerd, Path root) implements AutoCloseable {
        @Override
        public void close() {
            containerd.ctr("images", "unmount", "--rm", root.toString());
        }
    }

    /** Stops the daemon (the process this instance started), unmounts what is left, removes the temp dir. */
    @Override
    public void close() {
        try {
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up containerd's temp dir " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while stopping containerd");
        }
    }

    /** Mounts a failed test left under our dir (a view not unmounted). */
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
