package io.jcontainerd.supervisor.docker;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.Network;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.TestRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real jcontainerd with its Docker API on a private socket, docker.io mapped to the loopback
 * test registry, and the real docker CLI 28 pointed at it. {@link #close} removes every container
 * through the API, stops the daemon and waits for its shims to leave.
 */
final class DockerFixture implements AutoCloseable {
    static final String DOCKER = "/usr/local/bin/docker";
    final Path dir;
    final Path socket;
    DaemonProcess daemon;
    private final Path config;
    /** A bridge and subnets of this fixture's own: other daemons on the machine use jcd0 and 10.213.0.0/16. */
    final DaemonConfig.NetworkConfig network = privateNetwork();
    /** A containerd namespace of this fixture's own: its containers' cgroups are /&lt;namespace&gt;/&lt;id&gt;, apart from other daemons'. */
    final String namespace = "dk" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 36);

    DockerFixture(Path dir) {
        this(dir, dir.resolve("docker.sock"));
    }

    /** A fixture whose Docker API listens on {@code socket}. */
    DockerFixture(Path dir, Path socket) {
        this(dir, socket, "");
    }

    /** A fixture whose [docker] section has {@code dockerKeys} (TOML lines) besides its address. */
    DockerFixture(Path dir, Path socket, String dockerKeys) {
        Cli.requireTool(DOCKER, "docker-ce-cli 28 (the docker CLI at /usr/local/bin/docker)");
        this.dir = dir;
        this.socket = socket;
        this.config = dir.resolve("jcontainerd.toml");
        try {
            Files.createDirectories(dir.resolve("docker-config"));
            Files.writeString(config, """
                    [registry]
                    config_path = "%s"
                    [docker]
                    address = "%s"
                    namespace = "%s"
                    %s
                    [network]
                    bridge = "%s"
                    subnet = "%s"
                    pool = "%s"
                    ip_masq = false
                    """.formatted(TestRegistry.shared().hostsDir(), socket, namespace, dockerKeys, network.bridge(), network.subnet(), network.pool()));
        } catch (IOException e) {
            throw new AssertionError("cannot write " + config + ": " + e.getMessage(), e);
        }
        start();
    }

    void start() {
        daemon = DaemonProcess.start(dir.resolve("root"), dir.resolve("state"), dir.resolve("daemon.log"), "--config", config.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DaemonProcess.SERVE_TIMEOUT_SECONDS);
        while (!DaemonProcess.answers(socket)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the Docker API did not serve " + socket + " within " + DaemonProcess.SERVE_TIMEOUT_SECONDS
                        + " s:\n" + daemon.log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + socket, e);
            }
        }
    }

    /** Stops the daemon (SIGTERM) and starts it again on the same root and state. */
    void restart() {
        daemon.close();
        start();
    }

    String host() {
        return "unix://" + socket;
    }

    Map<String, String> env() {
        return Map.of("DOCKER_HOST", host(), "DOCKER_CONFIG", dir.resolve("docker-config").toString());
    }

    Cli.Result docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, env(), 120);
    }

    /** A shell line with docker in it (pipes into stdin). */
    Cli.Result sh(String line) {
        return Cli.run(List.of("/bin/sh", "-c", line.replace("docker ", DOCKER + " ")), env(), 120);
    }

    /**
     * containerd's own ctr (Debian's containerd package) on this fixture's daemon and namespace: containerd's
     * view of the facade's objects. Not jctr: the ctr module is built after supervisor, so its jar does
     * not exist yet when these tests run on a fresh checkout.
     */
    Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Cli.requireTool("/usr/bin/ctr", "containerd").toString(),
                "-a", daemon.socket().toString(), "-n", namespace));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 60);
    }

    /** Pulls busybox unless it is there. */
    void pullBusybox() {
        Cli.Result r = docker("pull", "busybox");
        if (r.exit() != 0) {
            throw new AssertionError("docker pull busybox failed: " + r + "\n" + daemon.log());
        }
    }

    private static DaemonConfig.NetworkConfig privateNetwork() {
        String routes;
        try {
            routes = Files.readString(Path.of("/proc/net/route"));
        } catch (IOException e) {
            routes = "";
        }
        var r = ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
            int a = r.nextInt(216, 250);
            int b = r.nextInt(0, 63) * 4;
            // /proc/net/route has destinations in little-endian hex: 10.a.b.0 is "00" + b + a + "0A"
            String hex = String.format("%02X%02X0A", b, a);
            if (!routes.contains(hex)) {
                String token = Long.toString(r.nextLong(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 36);
                return new DaemonConfig.NetworkConfig("jcdk" + token, "10." + a + "." + b + ".0/24", "10." + a + "." + (b + 2) + ".0/23",
                        List.of(Path.of("/usr/lib/cni")), false);
            }
        }
        throw new AssertionError("no free 10.x.y.0/22 for a test network: /proc/net/route has them all");
    }

    @Override
    public void close() {
        try {
            for (String id : docker("ps", "-aq").out().lines().toList()) {
                docker("rm", "-f", id);
            }
        } finally {
            daemon.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!daemon.shims().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            daemon.shims().forEach(ProcessHandle::destroyForcibly);
            removeNetworks();
            removeNamespaceCgroups();
        }
    }

    /**
     * The daemon makes /&lt;namespace&gt; in every cgroup hierarchy as the parent of its containers' cgroups,
     * and the runtime /run/jrunc/&lt;namespace&gt;, and, as containerd and runc, keeps them; the fixture's
     * namespace is its own, so the fixture removes them (rmdir of an empty cgroup and directory; one a
     * leaked container still uses stays and fails the test that leaked it).
     */
    private void removeNamespaceCgroups() {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path ns = Files.isDirectory(h) ? h.resolve(namespace) : null;
                if (ns != null && Files.isDirectory(ns)) {
                    Files.delete(ns);
                }
            }
            Path unified = Path.of("/sys/fs/cgroup", namespace);
            if (Files.isDirectory(unified)) {
                Files.delete(unified);
            }
            // the runtime's state directory of the namespace (empty once its containers are gone)
            Files.deleteIfExists(Path.of("/run/jrunc", namespace));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the cgroups of namespace " + namespace + ": " + e.getMessage(), e);
        }
    }

    /** What a failed test may have left of the networks on the host: endpoints, user networks, the bridges and their rules. */
    private void removeNetworks() {
        NetworkManager m = NetworkManager.open(network, dir.resolve("root"), dir.resolve("state"));
        for (Sandbox s : m.sandboxes()) {
            m.tearDown(s.namespace(), s.containerId());
        }
        for (Network n : m.networks()) {
            if (!n.predefined()) {
                m.removeNetwork(n.id());
            }
        }
        m.removeHostState();
    }
}
