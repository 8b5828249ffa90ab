package io.jcontainerd.network;

import java.util.Map;

/**
 * A bridge network: a Linux bridge, an IPv4 subnet with its gateway on the bridge, host-local IPAM.
 *
 * @param id         64 hex digits, as Docker's network ids
 * @param name       unique; "bridge" is the default network
 * @param bridge     the Linux bridge device
 * @param subnet     CIDR, e.g. 10.214.3.0/24
 * @param gateway    the bridge's address, the containers' default route
 * @param created    RFC 3339 time of creation
 * @param labels     the creator's labels
 * @param predefined the default network, which cannot be removed
 */
public record Network(String id, String name, String bridge, String subnet, String gateway, String created,
                      Map<String, String> labels, boolean predefined) {
    public Network {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
