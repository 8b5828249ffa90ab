package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real CNI plugins, real network namespaces, traffic only between this test's namespaces and loopback. Needs root. */
class NetworkManagerIT {
    private static final String NS = "nettest";
    private TestHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost();
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    @Test
    void twoContainersOnTheDefaultBridgeExchangeHttp() throws Exception {
        NetworkManager m = host.manager();
        Sandbox web = m.setUp(SandboxRequest.of(NS, host.id("web"), NetworkMode.BRIDGE));
        Sandbox client = m.setUp(SandboxRequest.of(NS, host.id("client"), NetworkMode.BRIDGE));

        Endpoint webEp = web.endpoints().getFirst();
        assertThat(webEp.ifName()).isEqualTo("eth0");
        assertThat(webEp.address()).startsWith(host.subnetPrefix);
        assertThat(webEp.gateway()).isEqualTo(host.subnetPrefix + "1");
        assertThat(webEp.mac()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        assertThat(client.endpoints().getFirst().address()).isNotEqualTo(webEp.address());

        host.serveHttp(web.netnsPath(), "hello-from-web");
        assertThat(TestHost.wget(client.netnsPath(), "http://" + webEp.address() + "/").output()).contains("hello-from-web");
        m.check(NS, host.id("web"));
        TestHost.runIn(web.netnsPath(), Duration.ofSeconds(10), "ip", "addr", "flush", "dev", "eth0");
        assertThatThrownBy(() -> m.check(NS, host.id("web"))).as("CHECK sees the address gone").isInstanceOf(JcdException.class)
                .hasMessageContaining("bridge CHECK");
    }

    @Test
    void tenContainersSetUpAtOnceGetDistinctAddressesAndSeeEachOther() throws Exception {
        NetworkManager m = host.manager();
        Network net = m.createNetwork("many-" + host.token, "", Map.of());
        List<java.util.concurrent.Future<Sandbox>> futures = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                int n = i;
                futures.add(pool.submit(() -> m.setUp(SandboxRequest.of(NS, host.id("p" + n),
                        n % 2 == 0 ? NetworkMode.BRIDGE : new NetworkMode.Network(net.name())).withName("p" + n))));
            }
        }
        Set<String> addresses = new HashSet<>();
        for (var f : futures) {
            addresses.add(f.get().endpoints().getFirst().address());
        }
        assertThat(addresses).hasSize(10);
        // every container on the user network has the other four in its /etc/hosts, whatever the order of set-up
        for (int i = 1; i < 10; i += 2) {
            String hosts = Files.readString(Path.of(m.sandbox(NS, host.id("p" + i)).orElseThrow().hostsPath()));
            for (int j = 1; j < 10; j += 2) {
                assertThat(hosts).contains("\tp" + j + " ");
            }
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(10)) {
            List<java.util.concurrent.Future<Boolean>> downs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                downs.add(pool.submit(() -> m.tearDown(NS, host.id("p" + n))));
            }
            for (var f : downs) {
                assertThat(f.get()).isTrue();
            }
        }
        assertThat(m.sandboxes()).isEmpty();
        assertThat(host.leaseFiles()).isZero();
    }

    @Test
    void noneModeHasOnlyLoopbackUp() throws Exception {
        NetworkManager m = host.manager();
        Sandbox s = m.setUp(SandboxRequest.of(NS, host.id("alone"), NetworkMode.NONE));
        assertThat(s.endpoints()).isEmpty();
        TestHost.Result links = TestHost.runIn(s.netnsPath(), Duration.ofSeconds(10), "ip", "-o", "link");
        assertThat(links.output().lines().toList()).hasSize(1).first().asString().contains("lo:").contains("UP");
    }

    @Test
    void teardownOfAContainerWhoseSetUpADaemonCrashCutShortRemovesItsPinnedNamespace() throws Exception {
        NetworkManager m = host.manager();
        String id = host.id("cut");
        // what a daemon killed between pinning the namespace and recording the sandbox leaves: a pin, no record
        Path pin = new io.jcontainerd.network.netns.NetNamespaces(host.state.resolve("netns"), new io.jcontainerd.network.netns.JnaNsSyscalls())
                .create(NetworkManager.key(NS, id));
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(pin.toString());

        assertThat(m.tearDown(NS, id)).as("it had no record").isFalse();
        assertThat(pin).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(pin.toString());
    }

    @Test
    void hostModeHasNoNamespaceAndTheHostsFiles() throws Exception {
        NetworkManager m = host.manager();
        Sandbox s = m.setUp(SandboxRequest.of(NS, host.id("h"), NetworkMode.HOST).withExtraHosts(List.of("db:10.1.2.3")));
        assertThat(s.netnsPath()).isNull();
        assertThat(Files.readString(Path.of(s.hostsPath()))).contains("10.1.2.3\tdb");
        assertThat(m.tearDown(NS, host.id("h"))).isTrue();
        assertThat(Files.exists(Path.of(s.hostsPath()))).isFalse();
    }

    @Test
    void containerModeSharesTheOtherContainersNamespace() throws Exception {
        NetworkManager m = host.manager();
        Sandbox web = m.setUp(SandboxRequest.of(NS, host.id("web"), NetworkMode.BRIDGE));
        Sandbox side = m.setUp(SandboxRequest.of(NS, host.id("side"), new NetworkMode.Container(host.id("web"))));
        assertThat(side.netnsPath()).isEqualTo(web.netnsPath());
        assertThat(side.hostsPath()).isEqualTo(web.hostsPath());
        m.tearDown(NS, host.id("side"));
        assertThat(Files.exists(Path.of(web.netnsPath()))).as("the owner's namespace stays").isTrue();
    }

    @Test
    void aPublishedPortAnswersOnLoopbackAndFromAnotherContainer() throws Exception {
        NetworkManager m = host.manager();
        Sandbox web = m.setUp(SandboxRequest.of(NS, host.id("web"), NetworkMode.BRIDGE)
                .withPorts(List.of(PortMapping.tcp("127.0.0.1", 0, 80), PortMapping.tcp("", 0, 80))));
        Sandbox client = m.setUp(SandboxRequest.of(NS, host.id("client"), NetworkMode.BRIDGE));
        int loopbackPort = web.ports().get(0).hostPort();
        int anyPort = web.ports().get(1).hostPort();
        assertThat(loopbackPort).isPositive();
        assertThat(anyPort).isPositive().isNotEqualTo(loopbackPort);

        host.serveHttp(web.netnsPath(), "published");
        assertThat(TestHost.wget(null, "http://127.0.0.1:" + loopbackPort + "/").output()).contains("published");
        assertThat(TestHost.wget(null, "http://127.0.0.1:" + anyPort + "/").output()).contains("published");
        // another container reaches the port published on every address through its gateway (hairpin through the host)
        String gw = client.endpoints().getFirst().gateway();
        assertThat(TestHost.wget(client.netnsPath(), "http://" + gw + ":" + anyPort + "/").output()).contains("published");
    }

    @Test
    void aHostPortAlreadyPublishedOrListenedOnIsRefused() throws Exception {
        NetworkManager m = host.manager();
        Sandbox first = m.setUp(SandboxRequest.of(NS, host.id("first"), NetworkMode.BRIDGE)
                .withPorts(List.of(PortMapping.tcp("127.0.0.1", 0, 80))));
        int port = first.ports().getFirst().hostPort();
        assertThatThrownBy(() -> m.setUp(SandboxRequest.of(NS, host.id("second"), NetworkMode.BRIDGE)
                .withPorts(List.of(PortMapping.tcp("", port, 80)))))
                .isInstanceOf(io.jcontainerd.config.errdefs.AlreadyExistsException.class)
                .hasMessage("Bind for 0.0.0.0:" + port + " failed: port is already allocated");
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> m.setUp(SandboxRequest.of(NS, host.id("third"), NetworkMode.BRIDGE)
                    .withPorts(List.of(PortMapping.tcp("127.0.0.1", busy.getLocalPort(), 80)))))
                    .isInstanceOf(io.jcontainerd.config.errdefs.AlreadyExistsException.class)
                    .hasMessageContaining("a process of the host uses the port");
        }
        assertThat(m.sandboxes()).extracting(Sandbox::containerId).containsExactly(host.id("first"));
    }

    @Test
    void twoUserNetworksAreIsolatedFromEachOther() throws Exception {
        NetworkManager m = host.manager();
        Network front = m.createNetwork("front-" + host.token, "", Map.of("team", "a"));
        Network back = m.createNetwork("back-" + host.token, "", Map.of());
        assertThat(front.subnet()).startsWith(host.poolPrefix);
        assertThat(back.subnet()).isNotEqualTo(front.subnet());
        assertThat(m.networks()).extracting(Network::name).contains("bridge", front.name(), back.name());

        Sandbox web = m.setUp(SandboxRequest.of(NS, host.id("web"), new NetworkMode.Network(front.name())));
        Sandbox friend = m.setUp(SandboxRequest.of(NS, host.id("friend"), new NetworkMode.Network(front.name())));
        Sandbox stranger = m.setUp(SandboxRequest.of(NS, host.id("stranger"), new NetworkMode.Network(back.name())));
        host.serveHttp(web.netnsPath(), "front-only");
        String url = "http://" + web.endpoints().getFirst().address() + "/";
        assertThat(TestHost.wget(friend.netnsPath(), url).output()).contains("front-only");
        TestHost.Result blocked = TestHost.wget(stranger.netnsPath(), url);
        assertThat(blocked.status()).as(blocked.output()).isNotZero();

        assertThatThrownBy(() -> m.removeNetwork(front.name())).isInstanceOf(JcdException.class).hasMessageContaining("active endpoints");
    }

    @Test
    void containersResolveEachOtherByNameAndAliasOnAUserNetwork() throws Exception {
        NetworkManager m = host.manager();
        Network net = m.createNetwork("app-" + host.token, "", Map.of());
        NetworkMode mode = new NetworkMode.Network(net.name());
        Sandbox db = m.setUp(SandboxRequest.of(NS, host.id("db"), mode).withName("db").withAliases(List.of("database", "db_primary"))
                .withDns(List.of("127.0.0.1"), List.of(), List.of()));
        Sandbox app = m.setUp(SandboxRequest.of(NS, host.id("app"), mode).withName("app")
                .withDns(List.of("127.0.0.1"), List.of(), List.of()));
        Sandbox other = m.setUp(SandboxRequest.of(NS, host.id("other"), NetworkMode.BRIDGE).withName("other")
                .withDns(List.of("127.0.0.1"), List.of(), List.of()));
        host.serveHttp(db.netnsPath(), "db-answers");

        // the app's files, bind-mounted as a container would have them, with the app's network namespace
        assertThat(inContainer(app, "timeout 5 busybox wget -q -O - http://db/")).contains("db-answers");
        assertThat(inContainer(app, "timeout 5 busybox wget -q -O - http://database/")).contains("db-answers");
        assertThat(inContainer(app, "timeout 5 busybox wget -q -O - http://db_primary/")).as("Docker-style names with '_'").contains("db-answers");
        // db learnt app's name when app was set up after it (its file was rewritten in place)
        assertThat(Files.readString(Path.of(db.hostsPath()))).contains(app.endpoints().getFirst().address() + "\tapp");
        // a container on the default bridge knows no peer names (as Docker)
        assertThat(Files.readString(Path.of(other.hostsPath()))).doesNotContain("\tdb");

        // a container connected later gets the names; disconnected, it loses them
        m.connect(NS, host.id("other"), net.name(), List.of("third"));
        assertThat(inContainer(other, "timeout 5 busybox wget -q -O - http://database/")).contains("db-answers");
        assertThat(Files.readString(Path.of(db.hostsPath()))).contains("third");
        m.disconnect(NS, host.id("other"), net.name());
        assertThat(Files.readString(Path.of(db.hostsPath()))).doesNotContain("third");
        assertThat(Files.readString(Path.of(other.hostsPath()))).doesNotContain("database");
    }

    /** Runs a shell command with the sandbox's network namespace and its /etc/hosts and resolv.conf mounted, as in a container. */
    private static String inContainer(Sandbox s, String command) throws Exception {
        String script = "mount --bind " + s.hostsPath() + " /etc/hosts && mount --bind " + s.resolvConfPath() + " /etc/resolv.conf && "
                + "exec nsenter --net=" + s.netnsPath() + " " + command;
        TestHost.Result r = TestHost.run(Duration.ofSeconds(20), List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script));
        assertThat(r.status()).as(r.output()).isZero();
        return r.output();
    }

    @Test
    void teardownAfterADaemonRestartLeavesNoVethNamespaceLeaseOrRule() throws Exception {
        List<String> rulesBefore = host.ourRules();
        NetworkManager first = host.manager();
        Network net = first.createNetwork("svc-" + host.token, "", Map.of());
        first.setUp(SandboxRequest.of(NS, host.id("a"), NetworkMode.BRIDGE).withPorts(List.of(PortMapping.tcp("127.0.0.1", 0, 80))));
        first.setUp(SandboxRequest.of(NS, host.id("b"), new NetworkMode.Network(net.name())).withName("b"));
        first.connect(NS, host.id("a"), net.name(), List.of());
        List<String> veths = TestHost.hostVeths(first.sandboxes());
        assertThat(veths).hasSize(3);
        assertThat(TestHost.existing(veths)).isEqualTo(3);
        assertThat(TestHost.portsOnBridges(first)).isEqualTo(3);
        java.util.Set<String> chains = host.ourCniChains();
        assertThat(chains).as("portmap's chain for a's published port").hasSize(1);
        assertThat(host.pinnedNetns()).isEqualTo(2);
        assertThat(host.leaseFiles()).isEqualTo(3);
        assertThat(host.ourRules().size()).isGreaterThan(rulesBefore.size());

        // "the daemon restarted": a new manager knows the containers from the records alone; "a" was deleted while it was down
        NetworkManager second = host.manager();
        assertThat(second.sandboxes()).hasSize(2);
        assertThat(second.tearDownUnless(s -> !s.containerId().equals(host.id("a")))).extracting(Sandbox::containerId)
                .containsExactly(host.id("a"));
        assertThat(second.tearDown(NS, host.id("a"))).isFalse();
        assertThat(second.tearDown(NS, host.id("b"))).isTrue();
        assertThat(second.tearDown(NS, host.id("b"))).as("a second teardown finds nothing").isFalse();
        assertThat(TestHost.portsOnBridges(second)).isZero();
        second.removeNetwork(net.name());

        assertThat(TestHost.existing(veths)).isZero();
        assertThat(host.pinnedNetns()).isZero();
        assertThat(host.leaseFiles()).isZero();
        assertThat(TestHost.existingChains(chains)).isEmpty();
        List<String> left = new ArrayList<>(host.ourRules());
        left.removeAll(rulesBefore);
        // only the default bridge's per-network rules stay, until the bridge itself goes (removeHostState)
        assertThat(left).allMatch(l -> l.contains("JCD-") && l.contains("jcdt" + host.token));
    }

    @Test
    void aHundredAttachDetachCyclesLeakNothingAndReuseAddresses() throws Exception {
        NetworkManager m = host.manager();
        // a /28 has 13 addresses for containers: 100 cycles must reuse them
        Network small = m.createNetwork("small-" + host.token, host.poolPrefix + "240/28", Map.of());
        m.setUp(SandboxRequest.of(NS, host.id("warm"), new NetworkMode.Network(small.name())));
        m.tearDown(NS, host.id("warm"));
        m.setUp(SandboxRequest.of(NS, host.id("warm"), NetworkMode.BRIDGE));
        m.tearDown(NS, host.id("warm"));
        List<String> veths = new ArrayList<>();
        List<String> rulesBefore = host.ourRules();
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = host.id("c" + i);
            Sandbox s = m.setUp(SandboxRequest.of(NS, id, new NetworkMode.Network(small.name())));
            addresses.add(s.endpoints().getFirst().address());
            veths.addAll(TestHost.hostVeths(List.of(s)));
            assertThat(m.tearDown(NS, id)).isTrue();
        }
        assertThat(addresses.size()).isBetween(2, 13);

        // and 50 connect/disconnect cycles of a second interface on a container that stays
        Sandbox stays = m.setUp(SandboxRequest.of(NS, host.id("stays"), NetworkMode.BRIDGE));
        Set<String> second = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Endpoint eth1 = m.connect(NS, host.id("stays"), small.name(), List.of());
            assertThat(eth1.ifName()).isEqualTo("eth1");
            second.add(eth1.address());
            veths.add(eth1.hostVeth());
            m.disconnect(NS, host.id("stays"), small.name());
        }
        assertThat(second.size()).isBetween(2, 13);
        TestHost.Result links = TestHost.runIn(stays.netnsPath(), Duration.ofSeconds(10), "ip", "-o", "link");
        assertThat(links.output().lines().toList()).hasSize(2);
        veths.addAll(TestHost.hostVeths(List.of(stays)));
        m.tearDown(NS, host.id("stays"));
        assertThat(veths).hasSize(151);
        assertThat(TestHost.existing(veths)).isZero();
        assertThat(TestHost.portsOnBridges(m)).isZero();
        assertThat(host.pinnedNetns()).isZero();
        assertThat(host.leaseFiles()).isZero();
        assertThat(host.ourRules()).containsExactlyInAnyOrderElementsOf(rulesBefore);
        assertThat(m.sandboxes()).isEmpty();
    }

    @Test
    void aSecondSetUpOfOneContainerIsRefusedAndLeavesTheFirstIntact() throws Exception {
        NetworkManager m = host.manager();
        Sandbox s = m.setUp(SandboxRequest.of(NS, host.id("once"), NetworkMode.BRIDGE));
        assertThatThrownBy(() -> m.setUp(SandboxRequest.of(NS, host.id("once"), NetworkMode.BRIDGE)))
                .isInstanceOf(JcdException.class).hasMessageContaining("already has its network");
        assertThat(Files.exists(Path.of(s.netnsPath()))).isTrue();
    }

    @Test
    void aFailedAddLeavesNothingBehind() throws Exception {
        NetworkManager m = host.manager();
        // a /30 has one address for a container: the second ADD fails in host-local, and its namespace and record go again
        Network tiny = m.createNetwork("tiny-" + host.token, host.poolPrefix + "248/30", Map.of());
        m.setUp(SandboxRequest.of(NS, host.id("t1"), new NetworkMode.Network(tiny.name())));
        assertThatThrownBy(() -> m.setUp(SandboxRequest.of(NS, host.id("t2"), new NetworkMode.Network(tiny.name()))))
                .isInstanceOf(JcdException.class).hasMessageContaining("no IP addresses available");
        assertThat(m.sandbox(NS, host.id("t2"))).isEmpty();
        assertThat(host.pinnedNetns()).isEqualTo(1);
        assertThat(TestHost.portsOnBridges(m)).as("only t1's veth is on the bridge").isEqualTo(1);
    }
}
