package io.jcontainerd.network;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.network.cni.CniInvoker;
import io.jcontainerd.network.cni.ConfListRunner;
import io.jcontainerd.network.host.HostRoutes;
import io.jcontainerd.network.host.Iptables;
import io.jcontainerd.network.host.BridgeFirewall;
import io.jcontainerd.network.netns.JnaNsSyscalls;
import io.jcontainerd.network.netns.NetNamespaces;
import io.jcontainerd.network.store.RecordStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Container networking for the daemon (Docker facade, CRI) and for {@code jctr run --cni}: network
 * namespaces pinned under {@code <state>/netns}, bridge networks driven through the CNI plugins
 * (bridge + host-local, portmap; forwarding, isolation and masquerading per network in our own
 * iptables chains), the /etc files of each container, and a
 * record per network and per container under {@code <root>/network}, so that teardown runs the
 * same DEL after a daemon restart. Thread-safe; one instance per process. See network/README.md.
 */
public final class NetworkManager {
    /** The default network's name, as Docker calls it. */
    public static final String DEFAULT_NETWORK = "bridge";
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(60);

    private final DaemonConfig.NetworkConfig config;
    private final NetworkRegistry networks;
    private final RecordStore<Sandbox> sandboxes;
    private final NetNamespaces netns;
    private final SandboxFiles files;
    private final CniEndpoints endpoints;
    /** Striped per-container locks: two operations on one container never overlap, different containers run side by side. */
    private final ReentrantLock[] locks = new ReentrantLock[64];
    private final Object portsLock = new Object();
    private final Network defaultNetwork;

    private NetworkManager(DaemonConfig.NetworkConfig config, Path root, Path state) {
        this.config = config;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        Path dir = root.resolve("network");
        this.sandboxes = new RecordStore<>(dir.resolve("sandboxes"), Sandbox.class);
        this.netns = new NetNamespaces(state.resolve("netns"), new JnaNsSyscalls());
        this.files = new SandboxFiles(state.resolve("network").resolve("containers"), sandboxes);
        this.endpoints = new CniEndpoints(new ConfListRunner(new CniInvoker(config.pluginDirs(), PLUGIN_TIMEOUT)),
                new BridgeFirewall(new Iptables()), config.ipMasq(), dir.resolve("ipam"), sandboxes, files);
        this.networks = new NetworkRegistry(new RecordStore<>(dir.resolve("networks"), Network.class),
                Ipv4Cidr.parse("[network] pool", config.pool()), HostRoutes::read);
        this.defaultNetwork = networks.ensureDefault(config.bridge(), Ipv4Cidr.parse("[network] subnet", config.subnet()));
    }

    /**
     * Opens the manager over the records of a daemon: {@code root}/network holds the records and the
     * IPAM leases, {@code state}/netns the pinned namespaces. Refuses a default subnet that clashes
     * with docker0, cni0 or a host route. The CNI plugins are looked up when a network is first
     * used (none and host modes need none), with an error naming the package if they are missing.
     */
    public static NetworkManager open(DaemonConfig.NetworkConfig config, Path root, Path state) {
        return new NetworkManager(config, root, state);
    }

    public static NetworkManager open(DaemonConfig daemon) {
        return open(daemon.network(), daemon.root(), daemon.state());
    }

    /**
     * Whether container {@code containerId} has a network record under {@code root}, without opening
     * a manager (which needs the plugins): lets a client skip networking for containers that have none.
     */
    public static boolean hasRecord(Path root, String namespace, String containerId) {
        return Identifiers.isValid(namespace) && Identifiers.isValid(containerId)
                && Files.exists(root.resolve("network").resolve("sandboxes").resolve(key(namespace, containerId) + ".json"));
    }

    // ---- networks ------------------------------------------------------------------------

    public Network defaultNetwork() {
        return defaultNetwork;
    }

    /** docker network create NAME [--subnet S] [--label K=V]; subnet "" picks a /24 from the pool. */
    public Network createNetwork(String name, String subnet, Map<String, String> labels) {
        Network n = networks.create(name, subnet, labels);
        endpoints.ensureIsolation(n);
        return n;
    }

    /** Every bridge network, the default first. */
    public List<Network> networks() {
        return networks.all();
    }

    /** By name, id or unique id prefix; NotFound otherwise. */
    public Network network(String ref) {
        return networks.get(ref);
    }

    /** The containers attached to {@code network} (by name). */
    public List<Sandbox> attached(String network) {
        return sandboxes.all().stream().filter(s -> s.endpoint(network).isPresent()).toList();
    }

    /**
     * docker network rm: refuses the default network and a network with containers attached;
     * deletes its bridge, its isolation rules and its IPAM directory.
     */
    public void removeNetwork(String ref) {
        Network n = networks.get(ref);
        if (n.predefined()) {
            throw JcdException.failedPrecondition("%s is a pre-defined network and cannot be removed", n.name());
        }
        List<Sandbox> users = attached(n.name());
        if (!users.isEmpty()) {
            throw JcdException.failedPrecondition("network %s has active endpoints (%s): disconnect or remove them first", n.name(),
                    users.stream().map(Sandbox::containerId).toList());
        }
        endpoints.dropHostState(n);
        networks.delete(n);
    }

    // ---- containers ----------------------------------------------------------------------

    /**
     * Sets up a container's network before its task is created: the namespace (none, a network),
     * CNI ADD on it, the /etc files. The result's {@link Sandbox#netnsPath()} goes into the spec's
     * network namespace (none for host), its three files are bind-mounted read-write on /etc. On
     * failure nothing is left behind. AlreadyExists if the container already has one.
     */
    public Sandbox setUp(SandboxRequest req) {
        return setUp(req, null);
    }

    /**
     * {@link #setUp(SandboxRequest)}, telling {@code namespaceReady} (on the calling thread, once) as soon as
     * the sandbox's network namespace is pinned and its three /etc files exist, before the network plugins
     * run (CNI ADD: tens of ms): a caller may create the container's task in that namespace meanwhile, and
     * must still wait for this method before it reports the network ready. The hosts file lacks the
     * container's own address until ADD has given it (rewritten in place, the same inode). For modes
     * without plugins (host, container:, none) it is told just before this returns. Null: not told.
     */
    public Sandbox setUp(SandboxRequest req, Consumer<Sandbox> namespaceReady) {
        Identifiers.validate("namespace", req.namespace());
        Identifiers.validate("container id", req.containerId());
        String key = key(req.namespace(), req.containerId());
        ReentrantLock lock = lock(key);
        lock.lock();
        try {
            if (sandboxes.get(key).isPresent()) {
                throw JcdException.alreadyExists("container %s in namespace %s already has its network set up: tear it down first",
                        req.containerId(), req.namespace());
            }
            if (!req.name().isEmpty()) {
                EtcFiles.validatePeerName("container name", req.name());
            }
            req.aliases().forEach(a -> EtcFiles.validatePeerName("network alias", a));
            Sandbox s = switch (req.mode()) {
                case NetworkMode.Host h -> hostSandbox(req, key);
                case NetworkMode.Container c -> joinSandbox(req, key, c.containerId());
                case NetworkMode.None none -> ownSandbox(req, key, null, namespaceReady);
                case NetworkMode.Network n -> ownSandbox(req, key, networks.get(n.network()), namespaceReady);
            };
            if (namespaceReady != null && !(req.mode() instanceof NetworkMode.Network)) {
                namespaceReady.accept(s);
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The sandbox {@link #setUp} would make for {@code req}, without making anything: its namespace
     * path and /etc file paths are what every later set-up of the same container uses (the pin and
     * the files are named for the container), so a spec written at create stays true for each start
     * that sets the network up again. Checks what set-up would refuse up front: names, aliases,
     * hostname, the network's existence, ports with mode none; for container:ID the other
     * container's network must be set up. No endpoints, no ports.
     */
    public Sandbox plan(SandboxRequest req) {
        Identifiers.validate("namespace", req.namespace());
        Identifiers.validate("container id", req.containerId());
        String key = key(req.namespace(), req.containerId());
        if (!req.name().isEmpty()) {
            EtcFiles.validatePeerName("container name", req.name());
        }
        req.aliases().forEach(a -> EtcFiles.validatePeerName("network alias", a));
        if (!req.hostname().isEmpty()) {
            EtcFiles.validateHostname("hostname", req.hostname());
        }
        if (!req.domainname().isEmpty()) {
            EtcFiles.validateHostname("domain name", req.domainname());
        }
        Path dir = files.dir(key);
        String hosts = dir.resolve("hosts").toString();
        String resolv = dir.resolve("resolv.conf").toString();
        String hostnameFile = dir.resolve("hostname").toString();
        return switch (req.mode()) {
            case NetworkMode.Host h -> new Sandbox(req.namespace(), req.containerId(), req.name(), NetworkMode.HOST.toString(), null, false,
                    req.hostname(), "", List.of(), List.of(), req.extraHosts(), hosts, resolv, hostnameFile);
            case NetworkMode.Container c -> {
                Sandbox other = sandbox(req.namespace(), c.containerId()).orElseThrow(() -> JcdException.notFound(
                        "container %s in namespace %s (network mode container:%s) has no network set up: start it first",
                        c.containerId(), req.namespace(), c.containerId()));
                yield new Sandbox(req.namespace(), req.containerId(), req.name(), req.mode().toString(), other.netnsPath(), false,
                        other.hostname(), other.domainname(), List.of(), List.of(), List.of(), other.hostsPath(), other.resolvConfPath(),
                        other.hostnamePath());
            }
            case NetworkMode.None none -> {
                if (!req.ports().isEmpty()) {
                    throw JcdException.invalidArgument("container %s: ports cannot be published with network mode none", req.containerId());
                }
                yield new Sandbox(req.namespace(), req.containerId(), req.name(), req.mode().toString(), netns.path(key).toString(), true,
                        req.hostname(), req.domainname(), List.of(), List.of(), req.extraHosts(), hosts, resolv, hostnameFile);
            }
            case NetworkMode.Network n -> {
                networks.get(n.network());
                yield new Sandbox(req.namespace(), req.containerId(), req.name(), req.mode().toString(), netns.path(key).toString(), true,
                        req.hostname(), req.domainname(), List.of(), List.of(), req.extraHosts(), hosts, resolv, hostnameFile);
            }
        };
    }

    /** docker network connect: a new interface (eth1, ...) on {@code network} for a container that has its own namespace. */
    public Endpoint connect(String namespace, String containerId, String network, List<String> aliases) {
        String key = key(namespace, containerId);
        Network n = networks.get(network);
        aliases.forEach(a -> EtcFiles.validatePeerName("network alias", a));
        ReentrantLock lock = lock(key);
        lock.lock();
        Endpoint ep;
        try {
            Sandbox s = sandbox(namespace, containerId).orElseThrow(() ->
                    JcdException.notFound("container %s in namespace %s has no network set up", containerId, namespace));
            if (!s.ownsNetns() || s.networkMode() instanceof NetworkMode.None) {
                throw JcdException.failedPrecondition("container %s uses network mode %s: it cannot be connected to other networks",
                        containerId, s.mode());
            }
            if (s.endpoint(n.name()).isPresent()) {
                throw JcdException.alreadyExists("container %s is already connected to network %s", containerId, n.name());
            }
            Set<String> used = new HashSet<>();
            s.endpoints().forEach(e -> used.add(e.ifName()));
            int i = 0;
            while (used.contains("eth" + i)) {
                i++;
            }
            ep = endpoints.attach(s, key, n, "eth" + i, aliases, List.of(), s.endpoints().isEmpty());
        } finally {
            lock.unlock();
        }
        files.refreshHosts(n.name());
        return ep;
    }

    /** docker network disconnect: CNI DEL of the container's endpoint on {@code network}. */
    public void disconnect(String namespace, String containerId, String network) {
        String key = key(namespace, containerId);
        Network n = networks.get(network);
        ReentrantLock lock = lock(key);
        lock.lock();
        try {
            Sandbox s = sandbox(namespace, containerId).orElseThrow(() ->
                    JcdException.notFound("container %s in namespace %s has no network set up", containerId, namespace));
            Endpoint ep = s.endpoint(n.name()).orElseThrow(() ->
                    JcdException.notFound("container %s is not connected to network %s", containerId, n.name()));
            endpoints.del(s, ep);
            List<Endpoint> rest = new ArrayList<>(s.endpoints());
            rest.remove(ep);
            Sandbox updated = s.withEndpoints(rest);
            sandboxes.put(key, updated);
            files.writeOwnHosts(updated);
        } finally {
            lock.unlock();
        }
        files.refreshHosts(n.name());
    }

    /**
     * Tears a container's network down: CNI DEL of every endpoint (last first, with the recorded
     * conflist and result), the namespace, the /etc files, the record. Works from the record alone,
     * so after a daemon restart too. False when the container had none; a namespace pin or /etc
     * file directory under its name is then what a set-up a daemon crash cut short (between pinning
     * and recording) left, and goes too. If a DEL fails, the record keeps what is left so a retry can finish.
     */
    public boolean tearDown(String namespace, String containerId) {
        String key = key(namespace, containerId);
        ReentrantLock lock = lock(key);
        lock.lock();
        Set<String> touched = new HashSet<>();
        try {
            Optional<Sandbox> found = sandboxes.get(key);
            if (found.isEmpty()) {
                netns.remove(netns.path(key)); // a path already gone is fine
                files.delete(key, () -> { });
                return false;
            }
            Sandbox s = found.get();
            List<Endpoint> left = new ArrayList<>(s.endpoints());
            JcdException failure = null;
            for (Endpoint ep : s.endpoints().reversed()) {
                try {
                    endpoints.del(s, ep);
                    left.remove(ep);
                    touched.add(ep.network());
                } catch (JcdException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                sandboxes.put(key, s.withEndpoints(left));
                throw failure;
            }
            if (s.ownsNetns() && s.netnsPath() != null) {
                netns.remove(Path.of(s.netnsPath()));
            }
            files.delete(key, () -> sandboxes.delete(key)); // no peer's refresh writes into the files while they go
            return true;
        } finally {
            lock.unlock();
            touched.forEach(files::refreshHosts);
        }
    }

    /**
     * CNI CHECK of every endpoint of the container (the plugins verify that the interface, address
     * and routes are still what ADD made): throws the first plugin's complaint.
     */
    public void check(String namespace, String containerId) {
        Sandbox s = sandbox(namespace, containerId).orElseThrow(() ->
                JcdException.notFound("container %s in namespace %s has no network set up", containerId, namespace));
        endpoints.check(s);
    }

    /**
     * Tears down every recorded container {@code alive} says no to: for a daemon at start, the
     * containers deleted while it was down and the records a reboot left. Returns those torn down;
     * one that fails is left for the next call and does not stop the others.
     */
    public List<Sandbox> tearDownUnless(Predicate<Sandbox> alive) {
        List<Sandbox> done = new ArrayList<>();
        for (Sandbox s : sandboxes.all()) {
            if (!alive.test(s)) {
                try {
                    if (tearDown(s.namespace(), s.containerId())) {
                        done.add(s);
                    }
                } catch (JcdException e) {
                    System.getLogger(NetworkManager.class.getName()).log(System.Logger.Level.WARNING,
                            "network of container " + s.containerId() + " in namespace " + s.namespace() + " not torn down: " + e.getMessage());
                }
            }
        }
        return done;
    }

    /**
     * Removes the network namespace pins and /etc file directories of {@code namespace} that have no
     * sandbox record and whose container {@code alive} does not know: a set-up a daemon crash cut
     * short between pinning the namespace and recording it. For a daemon's start, before it serves
     * that namespace. A key whose rest holds a '-' is left alone: it may be another namespace's
     * ("docker-x" seen from "docker"). Returns the container IDs cleaned.
     */
    public List<String> removeUnrecorded(String namespace, Predicate<String> alive) {
        String prefix = key(namespace, "");
        List<String> done = new ArrayList<>();
        Set<String> recorded = new HashSet<>();
        sandboxes.all().forEach(s -> recorded.add(key(s.namespace(), s.containerId())));
        List<Path> candidates = new ArrayList<>(netns.list());
        if (Files.isDirectory(files.etcDir())) {
            try (var l = Files.list(files.etcDir())) {
                candidates.addAll(l.toList());
            } catch (IOException e) {
                throw JcdException.unavailable("cannot list %s: %s", files.etcDir(), e.getMessage());
            }
        }
        for (Path p : candidates) {
            String key = p.getFileName().toString();
            String id = key.substring(Math.min(prefix.length(), key.length()));
            if (!key.startsWith(prefix) || id.isEmpty() || id.contains("-") || recorded.contains(key) || alive.test(id)) {
                continue;
            }
            if (p.startsWith(netns.dir())) {
                netns.remove(p);
            } else {
                SandboxFiles.deleteTree(p);
            }
            if (!done.contains(id)) {
                done.add(id);
            }
        }
        return done;
    }

    public Optional<Sandbox> sandbox(String namespace, String containerId) {
        return sandboxes.get(key(namespace, containerId));
    }

    /** Every container with a network record (for a daemon to reconcile with its containers at start). */
    public List<Sandbox> sandboxes() {
        return sandboxes.all();
    }

    /**
     * Removes what the manager leaves on the host between containers: every bridge of its networks,
     * their iptables rules (and our chains once empty), the empty CNI chains portmap leaves
     * (CNI-HOSTPORT-* when they hold nothing), and the netns directory's own mount.
     * Refuses while a container still has its network set up. For uninstalling and for tests.
     */
    public void removeHostState() {
        if (!sandboxes.all().isEmpty()) {
            throw JcdException.failedPrecondition("%d containers still have their network set up: tear them down first",
                    sandboxes.all().size());
        }
        for (Network n : networks.all()) {
            endpoints.dropHostState(n);
        }
        endpoints.pruneFirewall();
        new CniLeftovers(new Iptables()).pruneEmpty();
        netns.releaseDir();
    }

    // ---- internals -----------------------------------------------------------------------

    private Sandbox hostSandbox(SandboxRequest req, String key) {
        Path dir = files.dir(key);
        String hostname = req.hostname().isEmpty() ? hostHostname() : EtcFiles.validateHostname("hostname", req.hostname());
        List<EtcFiles.HostEntry> extra = req.extraHosts().stream().map(h -> EtcFiles.extraHost(h, "127.0.0.1")).toList();
        Sandbox s = new Sandbox(req.namespace(), req.containerId(), req.name(), NetworkMode.HOST.toString(), null, false, hostname, "",
                List.of(), List.of(), req.extraHosts(), dir.resolve("hosts").toString(), dir.resolve("resolv.conf").toString(),
                dir.resolve("hostname").toString());
        try {
            SandboxFiles.write(Path.of(s.hostsPath()), EtcFiles.hostModeHosts(SandboxFiles.readHostFile("/etc/hosts"), extra));
            SandboxFiles.write(Path.of(s.resolvConfPath()), EtcFiles.resolvConf(SandboxFiles.readHostFile("/etc/resolv.conf"), req.dns(), req.dnsSearch(),
                    req.dnsOptions(), true));
            SandboxFiles.write(Path.of(s.hostnamePath()), EtcFiles.hostname(hostname));
            sandboxes.put(key, s);
        } catch (RuntimeException e) {
            SandboxFiles.deleteTree(dir);
            throw e;
        }
        return s;
    }

    private Sandbox joinSandbox(SandboxRequest req, String key, String target) {
        Sandbox other = sandbox(req.namespace(), target).orElseThrow(() -> JcdException.notFound(
                "container %s in namespace %s (network mode container:%s) has no network set up: start it first",
                target, req.namespace(), target));
        Sandbox s = new Sandbox(req.namespace(), req.containerId(), req.name(), req.mode().toString(), other.netnsPath(), false,
                other.hostname(), other.domainname(), List.of(), List.of(), List.of(), other.hostsPath(), other.resolvConfPath(), other.hostnamePath());
        sandboxes.put(key, s);
        return s;
    }

    private Sandbox ownSandbox(SandboxRequest req, String key, Network network, Consumer<Sandbox> namespaceReady) {
        if (network == null && !req.ports().isEmpty()) {
            throw JcdException.invalidArgument("container %s: ports cannot be published with network mode none", req.containerId());
        }
        String hostname = req.hostname().isEmpty() ? req.containerId().substring(0, Math.min(12, req.containerId().length()))
                : EtcFiles.validateHostname("hostname", req.hostname());
        if (!req.domainname().isEmpty()) {
            EtcFiles.validateHostname("domain name", req.domainname());
        }
        Path dir = files.dir(key);
        Path ns = netns.create(key);
        Sandbox s = new Sandbox(req.namespace(), req.containerId(), req.name(), req.mode().toString(), ns.toString(), true, hostname,
                req.domainname(), List.of(), List.of(), req.extraHosts(), dir.resolve("hosts").toString(), dir.resolve("resolv.conf").toString(),
                dir.resolve("hostname").toString());
        try {
            sandboxes.put(key, s);
            String gateway = network == null ? "" : network.gateway();
            req.extraHosts().forEach(h -> EtcFiles.extraHost(h, gateway));
            SandboxFiles.write(Path.of(s.resolvConfPath()), EtcFiles.resolvConf(SandboxFiles.readHostFile("/etc/resolv.conf"), req.dns(), req.dnsSearch(),
                    req.dnsOptions(), false));
            SandboxFiles.write(Path.of(s.hostnamePath()), EtcFiles.hostname(hostname));
            if (network != null && namespaceReady != null) {
                files.writeOwnHosts(s); // without its own address yet: ADD gives it, attach rewrites the file
                namespaceReady.accept(s);
            }
            if (network != null) {
                // containers that publish ports are set up one at a time: a port is checked free and
                // recorded as taken before the next one looks
                Object portsGuard = req.ports().isEmpty() ? new Object() : portsLock;
                synchronized (portsGuard) {
                    List<PortMapping> taken = new ArrayList<>();
                    sandboxes.all().forEach(other -> taken.addAll(other.ports()));
                    List<PortMapping> ports = HostPorts.pick(req.ports(), taken);
                    s = new Sandbox(s.namespace(), s.containerId(), s.name(), s.mode(), s.netnsPath(), true, hostname, s.domainname(),
                            List.of(), ports, s.extraHosts(), s.hostsPath(), s.resolvConfPath(), s.hostnamePath());
                    sandboxes.put(key, s);
                    endpoints.attach(s, key, network, "eth0", req.aliases(), ports, true);
                }
                s = sandboxes.get(key).orElseThrow();
            }
            files.writeOwnHosts(s);
        } catch (RuntimeException e) {
            try {
                tearDown(req.namespace(), req.containerId());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (network != null) {
            files.refreshHosts(network.name());
        }
        return s;
    }

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private ReentrantLock lock(String key) {
        return locks[Math.floorMod(key.hashCode(), locks.length)];
    }

    static String key(String namespace, String containerId) {
        return namespace + "-" + containerId;
    }
}
