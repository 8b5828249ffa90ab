package io.jcontainerd.network;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.host.HostRoutes;
import io.jcontainerd.network.host.Iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One test's private networking world: its own root and state dirs, a default bridge named
 * jcdt&lt;token&gt; with a random /24 in 10.216-10.250 that no host route uses, a user-network pool of
 * its own, and everything the test started (processes) stopped and every trace removed in {@link #close}.
 */
@SuppressWarnings("try")
final class TestHost implements AutoCloseable {
    final String token;
    final Path root;
    final Path state;
    final DaemonConfig.NetworkConfig config;
    final String subnetPrefix;
    final String poolPrefix;
    private final List<Process> processes = new ArrayList<>();
    private final List<NetworkManager> managers = new ArrayList<>();

    TestHost() throws IOException {
        token = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 36);
        root = Files.createTempDirectory("jcd-net-root-");
        state = Files.createTempDirectory("jcd-net-state-");
        List<HostRoutes.Route> routes = HostRoutes.read();
        int a;
        int b;
        do {
            a = ThreadLocalRandom.current().nextInt(216, 250);
            b = ThreadLocalRandom.current().nextInt(0, 63) * 4;
        } while (clashes(routes, "10." + a + "." + b + ".0/22"));
        subnetPrefix = "10." + a + "." + b + ".";
        poolPrefix = "10." + a + "." + (b + 2) + ".";
        config = new DaemonConfig.NetworkConfig("jcdt" + token, "10." + a + "." + b + ".0/24", "10." + a + "." + (b + 2) + ".0/23",
                List.of(Path.of("/usr/lib/cni")), false);
    }

    private static boolean clashes(List<HostRoutes.Route> routes, String cidr) {
        Ipv4Cidr c = Ipv4Cidr.parse("test subnet", cidr);
        return routes.stream().anyMatch(r -> r.destination().overlaps(c));
    }

    /** A manager over this test's records (a second call is "the daemon restarted"). */
    NetworkManager manager() {
        NetworkManager m = NetworkManager.open(config, root, state);
        managers.add(m);
        return m;
    }

    /** A container id unique to this test run. */
    String id(String name) {
        return name + "-" + token;
    }

    /** Starts {@code args} inside network namespace {@code netns}; stopped in close(). */
    Process startIn(String netns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** Runs {@code args} in {@code netns}; returns exit status and output. */
    static Result runIn(String netns, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        cmd.addAll(List.of(args));
        return run(timeout, cmd);
    }

    static Result run(Duration timeout, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            return new Result(-1, "timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    record Result(int status, String output) {
    }

    /** A web root with index.html saying {@code text}, served by busybox httpd in {@code netns} on port 80. */
    void serveHttp(String netns, String text) throws IOException, InterruptedException {
        Path www = Files.createDirectories(state.resolve("www-" + text));
        Files.writeString(www.resolve("index.html"), text + "\n");
        startIn(netns, "busybox", "httpd", "-f", "-p", "80", "-h", www.toString());
        // wait until it answers on the namespace's own loopback
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (runIn(netns, Duration.ofSeconds(5), "timeout", "3", "busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:80/").status() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("busybox httpd did not answer in " + netns);
    }

    /** wget from {@code netns} (or from the host when null). */
    static Result wget(String netns, String url) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("nsenter", "--net=" + netns));
        }
        // busybox 1.35 wget segfaults with -T: timeout(1) bounds it instead
        cmd.addAll(List.of("timeout", "5", "busybox", "wget", "-q", "-O", "-", url));
        return run(Duration.ofSeconds(15), cmd);
    }

    /** Lines of iptables -S (filter and nat) that are about this test: its bridges, its subnets, its containers. */
    List<String> ourRules() {
        Iptables ipt = new Iptables();
        List<String> out = new ArrayList<>();
        for (String table : List.of("filter", "nat")) {
            for (String l : ipt.rules(table)) {
                if (l.contains(token) || l.contains(subnetPrefix) || l.contains(poolPrefix) || l.contains("jcdt" + token)
                        || managers.stream().flatMap(m -> m.networks().stream()).anyMatch(n -> l.contains(n.bridge()))) {
                    out.add(table + ": " + l);
                }
            }
        }
        return out;
    }

    /** The per-container CNI chains (portmap's CNI-DN-...) our rules jump to, by name. */
    java.util.Set<String> ourCniChains() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        java.util.regex.Pattern jump = java.util.regex.Pattern.compile("-j (CNI-DN-[A-Za-z0-9]+)");
        for (String l : ourRules()) {
            java.util.regex.Matcher m = jump.matcher(l);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Which of {@code chains} still exist in the nat or filter table. */
    static List<String> existingChains(java.util.Collection<String> chains) {
        Iptables ipt = new Iptables();
        return chains.stream().filter(c -> ipt.chainExists("nat", c) || ipt.chainExists("filter", c)).toList();
    }

    /** host-local's lease files (one per address) under this test's root. */
    long leaseFiles() throws IOException {
        Path ipam = root.resolve("network").resolve("ipam");
        if (!Files.isDirectory(ipam)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(ipam)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).count();
        }
    }

    /** The host ends of the veths of the sandboxes' endpoints (never another engineer's: the machine is shared). */
    static List<String> hostVeths(java.util.Collection<Sandbox> sandboxes) {
        return sandboxes.stream().flatMap(s -> s.endpoints().stream()).map(Endpoint::hostVeth).filter(v -> !v.isEmpty()).toList();
    }

    /** How many of the interfaces {@code names} exist on the host. */
    static long existing(java.util.Collection<String> names) {
        return names.stream().filter(n -> Files.exists(Path.of("/sys/class/net", n))).count();
    }

    /** Interfaces enslaved to the bridges of {@code m}'s networks. */
    static long portsOnBridges(NetworkManager m) {
        io.jcontainerd.network.host.Links links = new io.jcontainerd.network.host.Links();
        return m.networks().stream().mapToLong(n -> links.bridgePorts(n.bridge()).size()).sum();
    }

    long pinnedNetns() throws IOException {
        Path dir = state.resolve("netns");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Exception first = null;
        NetworkManager m = managers.isEmpty() ? NetworkManager.open(config, root, state) : managers.getLast();
        for (Sandbox s : m.sandboxes()) {
            try {
                m.tearDown(s.namespace(), s.containerId());
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        for (Network n : m.networks()) {
            if (!n.predefined()) {
                try {
                    m.removeNetwork(n.id());
                } catch (Exception e) {
                    first = first == null ? e : first;
                }
            }
        }
        try {
            m.removeHostState();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        for (Path dir : List.of(root, state)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
