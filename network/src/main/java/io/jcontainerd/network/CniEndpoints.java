package io.jcontainerd.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.cni.CniContext;
import io.jcontainerd.network.cni.ConfList;
import io.jcontainerd.network.cni.ConfListRunner;
import io.jcontainerd.network.host.BridgeFirewall;
import io.jcontainerd.network.host.Links;
import io.jcontainerd.network.store.RecordStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container's endpoints on bridge networks through the CNI plugins: ADD (recorded before it runs,
 * so a crash mid-ADD is still torn down, and after), DEL and CHECK with the recorded conflist and
 * result, and per network the host state they need: its isolation and masquerading rules, made once,
 * and its bridge and IPAM directory, dropped with the network.
 */
final class CniEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfListRunner cni;
    private final BridgeFirewall firewall;
    private final Links links = new Links();
    private final boolean ipMasq;
    private final Path ipamDir;
    private final RecordStore<Sandbox> sandboxes;
    private final SandboxFiles files;
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();

    CniEndpoints(ConfListRunner cni, BridgeFirewall firewall, boolean ipMasq, Path ipamDir, RecordStore<Sandbox> sandboxes,
                 SandboxFiles files) {
        this.cni = cni;
        this.firewall = firewall;
        this.ipMasq = ipMasq;
        this.ipamDir = ipamDir;
        this.sandboxes = sandboxes;
        this.files = files;
    }

    /** ADD on one network; the endpoint is recorded before ADD runs (so a crash mid-ADD is still torn down) and after. */
    Endpoint attach(Sandbox s, String key, Network n, String ifName, List<String> aliases, List<PortMapping> ports,
                    boolean defaultRoute) {
        ensureIsolation(n);
        ConfList conf = BridgeConfs.bridge(n, ipamDir, defaultRoute, !ports.isEmpty());
        Endpoint pending = new Endpoint(n.name(), n.id(), ifName, "", 0, n.gateway(), "", "", aliases, conf.toJson(), null);
        List<Endpoint> eps = new ArrayList<>(s.endpoints());
        eps.add(pending);
        sandboxes.put(key, s.withEndpoints(eps));
        JsonNode result;
        try {
            result = cni.add(conf, new CniContext(key, s.netnsPath(), ifName), BridgeConfs.runtimeConfig(ports));
        } catch (RuntimeException e) {
            try {
                del(s.withEndpoints(eps), pending);
                eps.remove(pending);
                sandboxes.put(key, s.withEndpoints(eps));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Endpoint ep = fromResult(n, ifName, aliases, conf, result);
        eps.set(eps.size() - 1, ep);
        Sandbox updated = s.withEndpoints(eps);
        sandboxes.put(key, updated);
        if (Files.exists(Path.of(updated.hostsPath()))) {
            files.writeOwnHosts(updated);
        }
        return ep;
    }

    /** DEL of one endpoint, with the result its ADD gave (a damaged one: from the container id and interface alone). */
    void del(Sandbox s, Endpoint ep) {
        ConfList conf = ConfList.parse(ep.confList());
        JsonNode prev = null;
        if (ep.cniResult() != null) {
            try {
                prev = JSON.readTree(ep.cniResult());
            } catch (IOException e) {
                prev = null; // a damaged result: DEL works from the container id and interface alone
            }
        }
        String netnsPath = s.netnsPath() != null && Files.exists(Path.of(s.netnsPath())) ? s.netnsPath() : "";
        ObjectNode rc = BridgeConfs.runtimeConfig(ep.ifName().equals("eth0") ? s.ports() : List.of());
        cni.del(conf, new CniContext(NetworkManager.key(s.namespace(), s.containerId()), netnsPath, ep.ifName()), rc, prev);
    }

    /** CHECK of every endpoint of the sandbox: throws the first plugin's complaint. */
    void check(Sandbox s) {
        for (Endpoint ep : s.endpoints()) {
            if (ep.cniResult() == null) {
                throw JcdException.failedPrecondition("container %s: the ADD on network %s never finished: tear it down", s.containerId(),
                        ep.network());
            }
            try {
                cni.check(ConfList.parse(ep.confList()), new CniContext(NetworkManager.key(s.namespace(), s.containerId()), s.netnsPath(),
                                ep.ifName()),
                        BridgeConfs.runtimeConfig(ep.ifName().equals("eth0") ? s.ports() : List.of()), JSON.readTree(ep.cniResult()));
            } catch (IOException e) {
                throw JcdException.failedPrecondition("container %s: the recorded ADD result is damaged: %s", s.containerId(), e.getMessage());
            }
        }
    }

    private static Endpoint fromResult(Network n, String ifName, List<String> aliases, ConfList conf, JsonNode result) {
        String address = "";
        int prefix = 0;
        String gateway = n.gateway();
        String mac = "";
        String hostVeth = "";
        JsonNode ifaces = result.path("interfaces");
        for (JsonNode ip : result.path("ips")) {
            String cidr = ip.path("address").asText("");
            if (cidr.contains(".") && cidr.contains("/")) {
                address = cidr.substring(0, cidr.indexOf('/'));
                prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
                gateway = ip.path("gateway").asText(gateway);
                if (ip.has("interface")) {
                    mac = ifaces.path(ip.get("interface").asInt()).path("mac").asText("");
                }
                break;
            }
        }
        for (JsonNode i : ifaces) {
            if (!i.has("sandbox") && !i.path("name").asText().equals(n.bridge())) {
                hostVeth = i.path("name").asText("");
            }
        }
        if (address.isEmpty()) {
            throw JcdException.unavailable("CNI ADD on network %s gave %s no IPv4 address: %s", n.name(), ifName, result);
        }
        return new Endpoint(n.name(), n.id(), ifName, address, prefix, gateway, mac, hostVeth, aliases, conf.toJson(), result.toString());
    }

    /** The network's forwarding, isolation and masquerading rules, made once per bridge. */
    void ensureIsolation(Network n) {
        if (isolated.add(n.bridge())) {
            try {
                firewall.add(n.bridge(), n.subnet(), ipMasq);
            } catch (RuntimeException e) {
                isolated.remove(n.bridge());
                throw e;
            }
        }
    }

    /** What a removed network leaves on the host: its rules, its bridge, its IPAM directory. */
    void dropHostState(Network n) {
        firewall.remove(n.bridge(), n.subnet());
        isolated.remove(n.bridge());
        links.deleteBridge(n.bridge());
        SandboxFiles.deleteTree(ipamDir.resolve(BridgeConfs.cniName(n.name())));
    }

    /** Our chains once empty (for uninstalling and tests). */
    void pruneFirewall() {
        firewall.pruneIfEmpty();
    }
}
