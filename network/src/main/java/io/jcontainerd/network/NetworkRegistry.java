package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.host.HostRoutes;
import io.jcontainerd.network.store.RecordStore;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The networks: the default one from [network], user-defined ones with a /24 each from the pool.
 * A subnet is refused when it overlaps another of ours, docker0's or cni0's, or a host route that
 * is not one of our bridges.
 */
final class NetworkRegistry {
    static final List<Ipv4Cidr> RESERVED = List.of(Ipv4Cidr.parse("docker0", "172.17.0.0/16"), Ipv4Cidr.parse("cni0", "10.88.0.0/16"));
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final int USER_PREFIX = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RecordStore<Network> store;
    private final Ipv4Cidr pool;
    private final Supplier<List<HostRoutes.Route>> routes;

    NetworkRegistry(RecordStore<Network> store, Ipv4Cidr pool, Supplier<List<HostRoutes.Route>> routes) {
        this.store = store;
        this.pool = pool;
        this.routes = routes;
    }

    /** The default network, recorded on first use; its bridge and subnet follow the configuration. */
    synchronized Network ensureDefault(String bridge, Ipv4Cidr subnet) {
        for (Ipv4Cidr r : RESERVED) {
            if (r.overlaps(subnet)) {
                throw JcdException.invalidArgument("[network] subnet %s overlaps %s, which docker0 or cni0 use: pick another, e.g. 10.213.0.0/16",
                        subnet, r);
            }
        }
        checkRoutes(subnet, bridge);
        Optional<Network> existing = find(NetworkManager.DEFAULT_NETWORK);
        String gateway = Ipv4Cidr.format(subnet.host(1));
        if (existing.isPresent() && existing.get().bridge().equals(bridge) && existing.get().subnet().equals(subnet.toString())) {
            return existing.get();
        }
        Network n = new Network(existing.map(Network::id).orElseGet(NetworkRegistry::newId), NetworkManager.DEFAULT_NETWORK, bridge,
                subnet.toString(), gateway, existing.map(Network::created).orElseGet(() -> Instant.now().toString()), Map.of(), true);
        store.put(n.id(), n);
        return n;
    }

    synchronized Network create(String name, String subnetText, Map<String, String> labels) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw JcdException.invalidArgument("network name \"%s\" is invalid: use 1 to 64 letters, digits, '_', '.', '-', starting with a letter or digit", name);
        }
        if (name.equals("none") || name.equals("host") || name.equals("default") || name.equals(NetworkManager.DEFAULT_NETWORK)) {
            throw JcdException.alreadyExists("network %s is predefined: pick another name", name);
        }
        List<Network> all = store.all();
        if (all.stream().anyMatch(n -> n.name().equals(name))) { // by name only: "e" is also the prefix of some id
            throw JcdException.alreadyExists("network with name %s already exists", name);
        }
        String id = newId();
        String bridge = "jcd-" + id.substring(0, 11);
        Ipv4Cidr subnet;
        if (subnetText != null && !subnetText.isEmpty()) {
            subnet = Ipv4Cidr.parse("subnet", subnetText);
            String clash = clash(subnet, all, bridge);
            if (clash != null) {
                throw JcdException.invalidArgument("subnet %s of network %s overlaps %s: pick another subnet", subnet, name, clash);
            }
        } else {
            subnet = null;
            long count = pool.size() / (1L << (32 - USER_PREFIX));
            for (long i = 0; i < count && subnet == null; i++) {
                Ipv4Cidr candidate = pool.subnet(USER_PREFIX, i);
                if (clash(candidate, all, bridge) == null) {
                    subnet = candidate;
                }
            }
            if (subnet == null) {
                throw JcdException.failedPrecondition("no free /%d subnet left in the pool %s: remove unused networks or widen [network] pool",
                        USER_PREFIX, pool);
            }
        }
        Network n = new Network(id, name, bridge, subnet.toString(), Ipv4Cidr.format(subnet.host(1)), Instant.now().toString(), labels, false);
        store.put(id, n);
        return n;
    }

    synchronized List<Network> all() {
        return store.all().stream().sorted((a, b) -> a.predefined() != b.predefined() ? (a.predefined() ? -1 : 1)
                : a.name().compareTo(b.name())).toList();
    }

    /** By exact name, exact id or unique id prefix (as Docker resolves network references). */
    synchronized Optional<Network> find(String ref) {
        List<Network> all = store.all();
        for (Network n : all) {
            if (n.name().equals(ref) || n.id().equals(ref)) {
                return Optional.of(n);
            }
        }
        if (ref.length() >= 1 && ref.matches("[0-9a-f]+")) {
            List<Network> byPrefix = all.stream().filter(n -> n.id().startsWith(ref)).toList();
            if (byPrefix.size() == 1) {
                return Optional.of(byPrefix.getFirst());
            }
            if (byPrefix.size() > 1) {
                throw JcdException.invalidArgument("network id prefix %s is ambiguous: it matches %d networks", ref, byPrefix.size());
            }
        }
        return Optional.empty();
    }

    Network get(String ref) {
        return find(ref).orElseThrow(() -> JcdException.notFound("network %s not found", ref));
    }

    synchronized void delete(Network n) {
        store.delete(n.id());
    }

    private String clash(Ipv4Cidr subnet, List<Network> all, String ownBridge) {
        for (Ipv4Cidr r : RESERVED) {
            if (r.overlaps(subnet)) {
                return r + " (docker0 or cni0)";
            }
        }
        for (Network n : all) {
            if (Ipv4Cidr.parse("subnet", n.subnet()).overlaps(subnet)) {
                return "network " + n.name() + " (" + n.subnet() + ")";
            }
        }
        for (HostRoutes.Route r : routes.get()) {
            boolean ours = r.device().equals(ownBridge) || all.stream().anyMatch(n -> n.bridge().equals(r.device()));
            if (!ours && r.destination().overlaps(subnet)) {
                return "the host route " + r.destination() + " via " + r.device();
            }
        }
        return null;
    }

    private void checkRoutes(Ipv4Cidr subnet, String bridge) {
        for (HostRoutes.Route r : routes.get()) {
            if (!r.device().equals(bridge) && r.destination().overlaps(subnet)) {
                throw JcdException.invalidArgument("[network] subnet %s overlaps the host route %s via %s: pick a subnet no route of the host uses",
                        subnet, r.destination(), r.device());
            }
        }
    }

    private static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
