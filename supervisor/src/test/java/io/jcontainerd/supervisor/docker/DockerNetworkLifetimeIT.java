package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Await;
import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10: a container's network endpoints live as dockerd's, from each start to each exit (veth,
 * address, pinned namespace), not from create to rm: docker CLI 28 against the facade, the host's
 * {@code ip link} checked for the container's veth after every exit.
 */
class DockerNetworkLifetimeIT {
    private static final Duration WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    DockerFixture d;

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
    void aStoppedContainerHasNoAddressNoVethAndNoNamespaceAndGetsAnAddressAgainAtItsNextStart() {
        ok(d.docker("create", "--name", "ep1", "busybox", "sleep", "1000"));
        String id = inspect("{{.Id}}", "ep1");
        assertThat(inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.NetworkID}}] [{{$v.IPAddress}}]{{end}}", "ep1"))
                .as("created, never started: as dockerd, on bridge with no network ID and no address yet").isEqualTo("bridge [] []");
        assertThat(vethsOnTheBridge()).as("nothing set up at create").isEmpty();
        assertThat(netnsPin(id)).doesNotExist();

        ok(d.docker("start", "ep1"));
        String first = inspect("{{.NetworkSettings.IPAddress}}", "ep1");
        assertThat(first).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        List<String> veths = vethsOnTheBridge();
        assertThat(veths).as("one veth while it runs").hasSize(1);
        assertThat(netnsPin(id)).exists();
        assertThat(d.docker("exec", "ep1", "ip", "-o", "-4", "addr", "show", "eth0").out()).contains(first + "/");

        ok(d.docker("stop", "-t", "1", "ep1"));
        String bridgeId = d.docker("network", "inspect", "--format", "{{.Id}}", "bridge").out().strip();
        assertThat(inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.NetworkID}}] [{{$v.IPAddress}}] [{{$v.Gateway}}] [{{$v.MacAddress}}] [{{$v.EndpointID}}]{{end}}", "ep1"))
                .as("stopped: as dockerd, the network's ID is kept, the endpoint's values are gone")
                .isEqualTo("bridge [" + bridgeId + "] [] [] [] []");
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "ep1")).isEmpty();
        assertThat(ipLink()).as("the veth %s went with the exit", veths.getFirst()).doesNotContain(veths.getFirst() + "@");
        assertThat(vethsOnTheBridge()).isEmpty();
        assertThat(netnsPin(id)).as("the pinned namespace went with the exit").doesNotExist();
        assertThat(d.docker("network", "inspect", "--format", "{{len .Containers}}", "bridge").out()).isEqualTo("0\n");

        ok(d.docker("start", "ep1"));
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "ep1")).as("an address again").matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(vethsOnTheBridge()).hasSize(1);
        ok(d.docker("rm", "-f", "ep1"));
        assertThat(vethsOnTheBridge()).isEmpty();
        assertThat(netnsPin(id)).doesNotExist();
    }

    @Test
    void theAddressOfAStoppedContainerGoesToTheNextContainerOnAFullNetwork() {
        // a /30: the gateway .1 and one address, .2, for containers
        String[] pool = d.network.pool().split("/")[0].split("\\.");
        String subnet = pool[0] + "." + pool[1] + "." + (Integer.parseInt(pool[2]) + 1) + ".252/30";
        ok(d.docker("network", "create", "--subnet", subnet, "tiny"));
        ok(d.docker("run", "-d", "--name", "first", "--network", "tiny", "busybox", "sleep", "1000"));
        String address = inspect("{{.NetworkSettings.Networks.tiny.IPAddress}}", "first");
        assertThat(address).endsWith(".254");
        ok(d.docker("stop", "-t", "1", "first"));
        ok(d.docker("run", "-d", "--name", "second", "--network", "tiny", "busybox", "sleep", "1000"));
        assertThat(inspect("{{.NetworkSettings.Networks.tiny.IPAddress}}", "second")).as("the stopped container's address is free").isEqualTo(address);
        Cli.Result full = d.docker("start", "first");
        assertThat(full.exit()).as("no address left while second runs: %s", full).isNotZero();
        assertThat(inspect("{{.State.Status}}", "first")).isEqualTo("exited");
        assertThat(vethsOnTheBridge("tiny")).as("the failed start left no veth").hasSize(1);
        ok(d.docker("rm", "-f", "second"));
        ok(d.docker("start", "first"));
        assertThat(inspect("{{.NetworkSettings.Networks.tiny.IPAddress}}", "first")).isEqualTo(address);
        ok(d.docker("rm", "-f", "first"));
        ok(d.docker("network", "rm", "tiny"));
    }

    @Test
    void psFiltersByNetworkNameAndIdAndAStoppedContainerIsConnectedAtItsNextStart() {
        ok(d.docker("network", "create", "n1"));
        ok(d.docker("network", "create", "n2"));
        String n1 = d.docker("network", "inspect", "--format", "{{.Id}}", "n1").out().strip();
        String n2 = d.docker("network", "inspect", "--format", "{{.Id}}", "n2").out().strip();
        ok(d.docker("create", "--name", "c1", "--network", "n1", "busybox", "sleep", "1000"));
        ok(d.docker("run", "-d", "--name", "b1", "busybox", "sleep", "1000"));
        ok(d.docker("run", "-d", "--name", "none1", "--network", "none", "busybox", "sleep", "1000"));
        assertThat(names("ps", "-a", "--filter", "network=n1")).containsExactly("c1");
        assertThat(names("ps", "-a", "--filter", "network=" + n1.substring(0, 8)))
                .as("as dockerd: a network ID is known to a container once it ran there").isEmpty();
        assertThat(names("ps", "-a", "--filter", "network=bridge")).containsExactly("b1");
        assertThat(names("ps", "--filter", "network=none")).containsExactly("none1");
        assertThat(names("ps", "-a", "--filter", "network=nosuch")).isEmpty();

        ok(d.docker("network", "connect", "n2", "c1"));
        assertThat(inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}}=[{{$v.IPAddress}}] {{end}}", "c1"))
                .as("connected while created: no endpoint yet").isEqualTo("n1=[] n2=[]");
        assertThat(names("ps", "-a", "--filter", "network=n2")).containsExactly("c1");
        assertThat(d.docker("network", "inspect", "--format", "{{len .Containers}}", "n2").out()).isEqualTo("0\n");

        ok(d.docker("start", "c1"));
        assertThat(inspect("{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "c1")).isEqualTo("n1 n2");
        assertThat(inspect("{{.NetworkSettings.Networks.n2.IPAddress}}", "c1")).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(d.docker("exec", "c1", "ip", "-o", "-4", "addr").out()).contains("eth0").contains("eth1");
        assertThat(names("ps", "--filter", "network=" + n2.substring(0, 8))).containsExactly("c1");
        assertThat(d.docker("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", "n2").out()).isEqualTo("c1 \n");
        assertThat(names("ps", "--filter", "network=n1", "--filter", "network=bridge")).containsExactlyInAnyOrder("c1", "b1");

        ok(d.docker("stop", "-t", "1", "c1"));
        assertThat(d.docker("network", "inspect", "--format", "{{len .Containers}}", "n2").out()).as("no endpoint once stopped").isEqualTo("0\n");
        assertThat(names("ps", "-a", "--filter", "network=" + n2.substring(0, 8))).as("the ID is kept after the run").containsExactly("c1");
        ok(d.docker("network", "disconnect", "n2", "c1"));
        assertThat(names("ps", "-a", "--filter", "network=n2")).isEmpty();
        ok(d.docker("start", "c1"));
        assertThat(d.docker("exec", "c1", "ip", "-o", "-4", "addr").out()).contains("eth0").doesNotContain("eth1");
        ok(d.docker("rm", "-f", "c1", "b1", "none1"));
        ok(d.docker("network", "rm", "n1", "n2"));
    }

    @Test
    void restartPoliciesAndADaemonRestartLeaveEndpointsToRunningContainersOnly() throws Exception {
        // on-failure:2: three runs, each with an address of its own on eth0, none left after the last
        ok(d.docker("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c",
                "ip -o -4 addr show eth0 | grep -c inet; exit 3"));
        Await.until("flaky's three runs", WITHIN, () -> inspect("{{.State.Status}} {{.RestartCount}}", "flaky").equals("exited 2"));
        assertThat(d.docker("logs", "flaky").out()).as("each run had an address").isEqualTo("1\n1\n1\n");
        assertThat(vethsOnTheBridge()).isEmpty();
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "flaky")).isEmpty();

        ok(d.docker("run", "-d", "--name", "keeps", "busybox", "sleep", "1000"));
        ok(d.docker("run", "-d", "--name", "dies", "busybox", "sleep", "1000"));
        String diesId = inspect("{{.Id}}", "dies");
        long pid = Long.parseLong(inspect("{{.State.Pid}}", "dies"));
        String keepsAddress = inspect("{{.NetworkSettings.IPAddress}}", "keeps");
        assertThat(vethsOnTheBridge()).hasSize(2);
        d.daemon.close();
        // the container exits while the daemon is away
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(pid);
        d.start();
        assertThat(inspect("{{.State.Status}}", "dies")).isEqualTo("exited");
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "dies")).as("released at the daemon's start").isEmpty();
        assertThat(netnsPin(diesId)).doesNotExist();
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "keeps")).isEqualTo(keepsAddress);
        assertThat(vethsOnTheBridge()).as("the running container's veth only").hasSize(1);
        ok(d.docker("start", "dies"));
        assertThat(inspect("{{.NetworkSettings.IPAddress}}", "dies")).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(d.docker("exec", "dies", "ping", "-c", "1", "-W", "5", keepsAddress).exit()).as("the two reach each other").isZero();
        ok(d.docker("rm", "-f", "keeps", "dies", "flaky"));
        assertThat(vethsOnTheBridge()).isEmpty();
    }

    private String inspect(String format, String container) {
        Cli.Result r = d.docker("inspect", "--format", format, container);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().strip();
    }

    private List<String> names(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(args));
        cmd.addAll(List.of("--format", "{{.Names}}"));
        Cli.Result r = d.docker(cmd.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().lines().toList();
    }

    private Path netnsPin(String id) {
        return dir.resolve("state").resolve("netns").resolve(d.namespace + "-" + id);
    }

    private static String ipLink() {
        return Cli.run(List.of("ip", "-o", "link"), java.util.Map.of(), 30).out();
    }

    /** The host ends of the veths on the fixture's default bridge. */
    private List<String> vethsOnTheBridge() {
        return veths(d.network.bridge());
    }

    private List<String> vethsOnTheBridge(String network) {
        String bridge = d.docker("network", "inspect", "--format", "{{index .Options \"com.docker.network.bridge.name\"}}", network).out().strip();
        return veths(bridge);
    }

    private static List<String> veths(String bridge) {
        Cli.Result r = Cli.run(List.of("ip", "-o", "link", "show", "master", bridge), java.util.Map.of(), 30);
        return r.out().lines().map(l -> l.split(":\\s+")[1].split("@")[0]).toList();
    }

    private void ok(Cli.Result r) {
        assertThat(r.exit()).as(r + "\n" + (r.exit() != 0 ? d.daemon.log() : "")).isZero();
    }

    private static void awaitGone(long pid) {
        Await.until("process " + pid + " to be gone", WITHIN, () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)
                && !Files.exists(Path.of("/proc", Long.toString(pid))));
    }
}
