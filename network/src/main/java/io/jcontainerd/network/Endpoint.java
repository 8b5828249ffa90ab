package io.jcontainerd.network;

import java.util.List;

/**
 * A container's interface on one network, as the CNI ADD result gave it.
 *
 * @param network      the network's name
 * @param networkId    the network's id
 * @param ifName       the interface inside the container (eth0, eth1, ...)
 * @param address      the container's IPv4 address (no prefix); "" until ADD succeeded
 * @param prefixLength the subnet's prefix length
 * @param gateway      the network's gateway
 * @param mac          the interface's MAC address
 * @param hostVeth     the host end of the veth pair
 * @param aliases      extra names the container has on this network (besides its name)
 * @param confList     the conflist JSON ADD ran, so DEL runs the same plugins even if the config changed
 * @param cniResult    the ADD result JSON (DEL's prevResult); null when ADD never finished
 */
public record Endpoint(String network, String networkId, String ifName, String address, int prefixLength, String gateway,
                       String mac, String hostVeth, List<String> aliases, String confList, String cniResult) {
    public Endpoint {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
