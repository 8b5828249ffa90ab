package io.jcontainerd.ctr;

import io.jcontainerd.config.ConfigLoader;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.DaemonProcess;
import io.jcontainerd.testsupport.RepoRoot;
import io.jcontainerd.testsupport.TestNamespaces;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jctr run --cni against a real daemon: the container gets an address on the default bridge, two
 * containers talk HTTP over it, and containers rm / run --rm leave no namespace, veth or lease.
 * The bridge and subnet are this test's own ([network] in the config file passed with --cni-config).
 */
class JctrRunCniIT {
    static final String IMAGE = "docker.io/library/busybox:latest";
    static final String RUN = Long.toHexString(ProcessHandle.current().pid());
    /** The test's namespace, its own: run puts each container's cgroup under /&lt;namespace&gt;, which {@link #cleanUp} removes. */
    static final String NS = TestNamespaces.unique("jctrcni");
    static Path dir;
    static Path config;
    static DaemonProcess daemon;
    static String subnetPrefix;
    static String bridge;

    @BeforeAll
    static void startDaemonAndPull() throws IOException {
        Cli.requireTool("/usr/bin/ctr", "containerd");
        dir = Files.createTempDirectory("jctr-cni-it");
        daemon = DaemonProcess.start(dir);
        Cli.Result pull = ctr("images", "pull", "--hosts-dir", TestRegistry.shared().hostsDir().toString(), IMAGE);
        assertThat(pull.exit()).as(pull.toString()).isZero();
        int a = ThreadLocalRandom.current().nextInt(216, 250);
        int b = ThreadLocalRandom.current().nextInt(0, 250);
        subnetPrefix = "10." + a + "." + b + ".";
        bridge = "jcdc" + RUN.substring(Math.max(0, RUN.length() - 6));
        config = Files.writeString(dir.resolve("jcontainerd.toml"), """
                root = "%s"
                state = "%s"
                [network]
                bridge = "%s"
                subnet = "%s0/24"
                pool = "10.%d.%d.0/24"
                ip_masq = false
                """.formatted(daemon.root(), daemon.state(), bridge, subnetPrefix, a, (b + 1) % 256));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try {
            if (daemon != null) {
                for (String id : ctr("tasks", "ls", "-q").out().lines().toList()) {
                    ctr("tasks", "kill", "-s", "SIGKILL", id);
                }
                for (String id : ctr("containers", "ls", "-q").out().lines().toList()) {
                    ctr("tasks", "rm", "-f", id);
                    ctr("containers", "rm", id);
                }
                if (config != null) {
                    NetworkManager m = NetworkManager.open(ConfigLoader.load(config, true));
                    for (Sandbox s : m.sandboxes()) {
                        m.tearDown(s.namespace(), s.containerId());
                    }
                    m.removeHostState();
                }
                daemon.close();
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertThat(TestNamespaces.remove(NS)).as("cgroups and runtime state left of namespace " + NS).isEmpty();
        }
    }

    static Cli.Result jctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(RepoRoot.find().resolve("bin/jctr").toString(),
                "--address", daemon.socket().toString(), "--namespace", NS));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 120);
    }

    static Cli.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ctr", "--address", daemon.socket().toString(), "--namespace", NS));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of(), 120);
    }

    @Test
    void twoContainersRunWithCniTalkHttpOverTheBridgeAndLeaveNothingBehind() throws Exception {
        String web = "cniweb-" + RUN;
        Cli.Result started = jctr("run", "-d", "--cni", "--cni-config", config.toString(), IMAGE, web,
                "sh", "-c", "mkdir -p /www && echo hello-over-cni > /www/index.html && exec httpd -f -p 80 -h /www");
        assertThat(started.exit()).as(started.toString()).isZero();
        Sandbox s = NetworkManager.open(ConfigLoader.load(config, true)).sandbox(NS, web).orElseThrow();
        String ip = s.endpoints().getFirst().address();
        assertThat(ip).startsWith(subnetPrefix);
        String webVeth = s.endpoints().getFirst().hostVeth();
        assertThat(bridgePorts()).containsExactly(webVeth);

        Cli.Result addr = jctr("run", "--rm", "--cni", "--cni-config", config.toString(), IMAGE, "cniaddr-" + RUN,
                "sh", "-c", "ip -o -4 addr show eth0; cat /etc/hostname");
        assertThat(addr.exit()).as(addr.toString()).isZero();
        assertThat(addr.out()).contains("inet " + subnetPrefix).contains("cniaddr-" + RUN);

        Cli.Result got = null;
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            got = jctr("run", "--rm", "--cni", "--cni-config", config.toString(), IMAGE, "cniclient-" + RUN,
                    "timeout", "5", "wget", "-q", "-O", "-", "http://" + ip + "/");
            if (got.exit() == 0) {
                break;
            }
        }
        assertThat(got.out()).as(got.toString()).contains("hello-over-cni");
        assertThat(bridgePorts()).as("run --rm tore its network down").containsExactly(webVeth);

        assertThat(jctr("tasks", "kill", "-s", "SIGKILL", web).exit()).isZero();
        Cli.Result rm = null;
        deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            rm = jctr("containers", "rm", "--cni-config", config.toString(), web);
            if (rm.exit() == 0) {
                break;
            }
        }
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(bridgePorts()).isEmpty();
        assertThat(Path.of("/sys/class/net", webVeth)).doesNotExist();
        assertThat(NetworkManager.hasRecord(daemon.root(), NS, web)).isFalse();
        try (Stream<Path> pins = Files.list(daemon.state().resolve("netns"))) {
            assertThat(pins.toList()).isEmpty();
        }
    }

    /** The interfaces on this test's bridge (other engineers' veths on the shared machine are not counted). */
    static List<String> bridgePorts() throws IOException {
        Path brif = Path.of("/sys/class/net", bridge, "brif");
        if (!Files.isDirectory(brif)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(brif)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
