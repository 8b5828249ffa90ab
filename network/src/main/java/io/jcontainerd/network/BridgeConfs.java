package io.jcontainerd.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.network.cni.ConfList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conflists we run: for a network, bridge (with host-local IPAM under our own data dir), then
 * portmap when the endpoint publishes ports. Forwarding, isolation and masquerading are per
 * network in our own chains ({@link io.jcontainerd.network.host.BridgeFirewall}), not the firewall
 * plugin's and the bridge plugin's per-container rules.
 */
final class BridgeConfs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BridgeConfs() {
    }

    /** The CNI network name of network {@code name}: it names host-local's lease dir and the plugins' iptables comments. */
    static String cniName(String name) {
        return "jcd-" + name;
    }

    /**
     * @param defaultRoute whether the container's default route goes through this network (eth0 only)
     * @param withPorts    whether portmap is in the chain (the endpoint that publishes the ports)
     */
    static ConfList bridge(Network n, Path ipamDir, boolean defaultRoute, boolean withPorts) {
        List<ObjectNode> plugins = new ArrayList<>();
        ObjectNode br = JSON.createObjectNode();
        br.put("type", "bridge");
        br.put("bridge", n.bridge());
        br.put("isGateway", true);
        br.put("ipMasq", false);
        br.put("hairpinMode", true);
        ObjectNode ipam = br.putObject("ipam");
        ipam.put("type", "host-local");
        ArrayNode range = ipam.putArray("ranges").addArray();
        range.addObject().put("subnet", n.subnet()).put("gateway", n.gateway());
        if (defaultRoute) {
            ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        }
        ipam.put("dataDir", ipamDir.toString());
        plugins.add(br);
        if (withPorts) {
            ObjectNode pm = JSON.createObjectNode();
            pm.put("type", "portmap");
            pm.putObject("capabilities").put("portMappings", true);
            pm.put("snat", true);
            plugins.add(pm);
        }
        return new ConfList(ConfList.CNI_VERSION, cniName(n.name()), plugins);
    }

    /** runtimeConfig.portMappings for portmap. */
    static ObjectNode runtimeConfig(List<PortMapping> ports) {
        ObjectNode rc = JSON.createObjectNode();
        ArrayNode arr = rc.putArray("portMappings");
        for (PortMapping p : ports) {
            ObjectNode o = arr.addObject();
            o.put("hostPort", p.hostPort());
            o.put("containerPort", p.containerPort());
            o.put("protocol", p.protocol());
            if (!p.hostIp().isEmpty()) {
                o.put("hostIP", p.hostIp());
            }
        }
        return rc;
    }
}
