package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.Endpoint;
import io.jcontainerd.network.Network;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.NetworkMode;
import io.jcontainerd.network.PortMapping;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.network.SandboxRequest;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Docker's network options turned into the network module's sandbox request (mode, name,
 * aliases, published ports, hostname, extra hosts, DNS), and a sandbox turned back into what
 * inspect and ps show (NetworkSettings.Networks and Ports).
 */
public final class Networking {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NetworkManager manager;
    private final String namespace;

    public Networking(NetworkManager manager, String namespace) {
        this.manager = manager;
        this.namespace = namespace;
    }

    public NetworkManager manager() {
        return manager;
    }

    /**
     * The networks a new container is on: its mode's network (by name, with the aliases of its
     * endpoint config) for the bridge and user networks, none for none, host and container:ID.
     * An unknown network is a 404, as dockerd's create.
     */
    List<NetworkAttachment> initial(String networkMode, JsonNode endpointsConfig) {
        NetworkMode mode = NetworkMode.parse(networkMode);
        if (!(mode instanceof NetworkMode.Network n)) {
            return List.of();
        }
        List<String> aliases = new ArrayList<>();
        JsonNode ep = endpointsConfig.path(networkMode);
        if (ep.isMissingNode() && mode.equals(NetworkMode.BRIDGE)) {
            ep = endpointsConfig.path("default");
        }
        ep.path("Aliases").forEach(a -> aliases.add(a.asText()));
        Network network;
        try {
            network = manager.network(n.network());
        } catch (JcdException e) {
            throw DockerApiException.notFound("network %s not found", n.network());
        }
        return List.of(new NetworkAttachment(network.name(), "", aliases));
    }

    /**
     * What the container's network will be at each start, made at create for its spec: the
     * namespace path and /etc files, nothing set up (dockerd too allocates endpoints at start).
     */
    Sandbox plan(String id, String name, String networkMode, ObjectNode config, ObjectNode host, List<NetworkAttachment> networks) {
        return manager.plan(request(id, name, networkMode, config, host, networks));
    }

    /**
     * Sets the container's network up for a run, before its task is created: the namespace and
     * the endpoint on its first network (ports published there), then one more endpoint per other
     * network it is connected to. Returns the sandbox; on failure nothing is left set up.
     * {@code networkMode} has container names already resolved to IDs.
     */
    Sandbox setUp(String id, String name, String networkMode, ObjectNode config, ObjectNode host, List<NetworkAttachment> networks) {
        Sandbox s = manager.setUp(request(id, name, networkMode, config, host, networks));
        try {
            for (NetworkAttachment a : networks.subList(Math.min(1, networks.size()), networks.size())) {
                manager.connect(namespace, id, a.name(), a.aliases());
            }
        } catch (RuntimeException e) {
            tearDownQuietly(id, e);
            throw e;
        }
        return manager.sandbox(namespace, id).orElse(s);
    }

    private SandboxRequest request(String id, String name, String networkMode, ObjectNode config, ObjectNode host,
                                   List<NetworkAttachment> networks) {
        NetworkMode mode = NetworkMode.parse(networkMode);
        List<String> aliases = List.of();
        List<PortMapping> ports = List.of();
        if (mode instanceof NetworkMode.Network) {
            if (networks.isEmpty()) {
                mode = NetworkMode.NONE; // disconnected from every network: loopback only, as dockerd
            } else {
                NetworkAttachment first = networks.getFirst();
                mode = new NetworkMode.Network(first.name());
                aliases = first.name().equals(NetworkManager.DEFAULT_NETWORK) ? List.of() : first.aliases();
                ports = ports(config, host);
            }
        }
        return SandboxRequest.of(namespace, id, mode)
                // the name on every network: peers resolve it on user networks, also those it joins
                // later with docker network connect (the default bridge resolves no names)
                .withName(name)
                .withAliases(aliases)
                .withPorts(ports)
                .withHostname(config.path("Hostname").asText(""), config.path("Domainname").asText(""))
                .withExtraHosts(strings(host.path("ExtraHosts")))
                .withDns(strings(host.path("Dns")), strings(host.path("DnsSearch")), strings(host.path("DnsOptions")));
    }

    private void tearDownQuietly(String id, RuntimeException cause) {
        try {
            manager.tearDown(namespace, id);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** The networks with the IDs of the endpoints {@code s} has on them (dockerd keeps a network's ID after the first run). */
    static List<NetworkAttachment> withIds(List<NetworkAttachment> networks, Sandbox s) {
        return networks.stream().map(a -> s.endpoint(a.name()).map(e -> a.withId(e.networkId())).orElse(a)).toList();
    }

    static List<PortMapping> ports(ObjectNode config, ObjectNode host) {
        List<PortMapping> out = new ArrayList<>();
        for (var e : host.path("PortBindings").properties()) {
            int[] port = containerPort(e.getKey());
            String proto = protocol(e.getKey());
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                out.add(new PortMapping("", 0, port[0], proto));
                continue;
            }
            for (JsonNode b : e.getValue()) {
                String hp = b.path("HostPort").asText("");
                int hostPort;
                try {
                    hostPort = hp.isEmpty() ? 0 : Integer.parseInt(hp);
                } catch (NumberFormatException x) {
                    throw DockerApiException.badRequest("invalid host port %s for %s: host port ranges are not supported", hp, e.getKey());
                }
                out.add(new PortMapping(b.path("HostIp").asText(""), hostPort, port[0], proto));
            }
        }
        if (host.path("PublishAllPorts").asBoolean(false)) {
            config.path("ExposedPorts").fieldNames().forEachRemaining(k -> {
                if (!host.path("PortBindings").has(k)) {
                    out.add(new PortMapping("", 0, containerPort(k)[0], protocol(k)));
                }
            });
        }
        return out;
    }

    private static int[] containerPort(String key) {
        String p = key.split("/", 2)[0];
        try {
            return new int[]{Integer.parseInt(p)};
        } catch (NumberFormatException e) {
            throw DockerApiException.badRequest("invalid container port %s: port ranges are not supported", key);
        }
    }

    private static String protocol(String key) {
        String[] p = key.split("/", 2);
        return p.length == 2 ? p[1] : "tcp";
    }

    Optional<Sandbox> sandbox(String id) {
        return manager.sandbox(namespace, id);
    }

    void tearDown(String id) {
        manager.tearDown(namespace, id);
    }

    /** A network as a container's connect and disconnect events name it: its ID, its name and its driver's type. */
    public record Attached(String id, String name, String type) {
    }

    /**
     * The networks a run of the container joins and leaves, as dockerd 20.10 reports them at start and
     * exit: each endpoint's network (type bridge), the host or none pseudo-network (types host and
     * null), nothing for {@code container:ID} (it joins another container's namespace, no network).
     */
    List<Attached> attached(String id) {
        Optional<Sandbox> s = sandbox(id);
        if (s.isEmpty()) {
            return List.of();
        }
        return switch (s.get().networkMode()) {
            case NetworkMode.None none -> List.of(new Attached(pseudoId("none"), "none", "null"));
            case NetworkMode.Host host -> List.of(new Attached(pseudoId("host"), "host", "host"));
            case NetworkMode.Container other -> List.of();
            case NetworkMode.Network n -> s.get().endpoints().stream().map(e -> new Attached(e.networkId(), e.network(), "bridge")).toList();
        };
    }

    /** The ID of the host and none pseudo-networks (dockerd's are random; ours are fixed: the name's bytes in hex, 64 digits). */
    public static String pseudoId(String name) {
        return String.format("%064x", new java.math.BigInteger(1, name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** NetworkSettings.Ports: every exposed port, with its host bindings (null when not published). */
    static ObjectNode portsJson(ObjectNode config, Optional<Sandbox> sandbox) {
        ObjectNode ports = JSON.createObjectNode();
        config.path("ExposedPorts").fieldNames().forEachRemaining(k -> ports.putNull(k));
        sandbox.ifPresent(s -> {
            for (PortMapping m : s.ports()) {
                String k = m.containerPort() + "/" + m.protocol();
                ArrayNode a = ports.path(k).isArray() ? (ArrayNode) ports.get(k) : ports.putArray(k);
                a.addObject().put("HostIp", m.hostIp().isEmpty() ? "0.0.0.0" : m.hostIp()).put("HostPort", String.valueOf(m.hostPort()));
            }
        });
        return ports;
    }

    /** The Ports of a ps row. */
    static ArrayNode portsSummary(Optional<Sandbox> sandbox) {
        ArrayNode a = JSON.createArrayNode();
        sandbox.ifPresent(s -> s.ports().forEach(m -> a.addObject().put("IP", m.hostIp().isEmpty() ? "0.0.0.0" : m.hostIp())
                .put("PrivatePort", m.containerPort()).put("PublicPort", m.hostPort()).put("Type", m.protocol())));
        return a;
    }

    /**
     * NetworkSettings.Networks: while it runs one entry per endpoint (or the mode's name for none and
     * host); when it does not, as dockerd, one per network it is connected to with its ID (once it ran
     * there) and no address, gateway, endpoint or MAC.
     */
    static ObjectNode networksJson(String mode, Optional<Sandbox> sandbox, List<NetworkAttachment> networks) {
        ObjectNode nets = JSON.createObjectNode();
        List<Endpoint> eps = sandbox.map(Sandbox::endpoints).orElse(List.of());
        if (sandbox.isEmpty() && !networks.isEmpty()) {
            for (NetworkAttachment a : networks) {
                endpoint(nets.putObject(a.name()), a.id(), "", "", 0, "", "", a.aliases());
            }
            return nets;
        }
        if (eps.isEmpty()) {
            endpoint(nets.putObject(mode), mode, "", "", 0, "", "", List.of());
        }
        for (Endpoint e : eps) {
            endpoint(nets.putObject(e.network()), e.networkId(), e.address(), e.gateway(), e.prefixLength(), e.mac(), e.ifName(), e.aliases());
        }
        return nets;
    }

    private static void endpoint(ObjectNode n, String networkId, String ip, String gateway, int prefix, String mac, String endpointId,
                                 List<String> aliases) {
        n.putNull("IPAMConfig");
        n.putNull("Links");
        if (aliases.isEmpty()) {
            n.putNull("Aliases");
        } else {
            ArrayNode a = n.putArray("Aliases");
            aliases.forEach(a::add);
        }
        n.put("NetworkID", networkId).put("EndpointID", endpointId).put("Gateway", gateway).put("IPAddress", ip)
                .put("IPPrefixLen", prefix).put("IPv6Gateway", "").put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0)
                .put("MacAddress", mac);
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
