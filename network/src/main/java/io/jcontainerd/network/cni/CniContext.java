package io.jcontainerd.network.cni;

import java.util.Map;

/**
 * What a CNI plugin is told through its environment besides the command (CNI 1.0 spec, "Parameters").
 *
 * @param containerId CNI_CONTAINERID
 * @param netns       CNI_NETNS: the path of the network namespace (a pinned bind mount)
 * @param ifName      CNI_IFNAME: the interface to create inside it (eth0, eth1, ...)
 * @param args        CNI_ARGS as key=value pairs (joined with ';')
 */
public record CniContext(String containerId, String netns, String ifName, Map<String, String> args) {
    public CniContext {
        args = Map.copyOf(args);
    }

    public CniContext(String containerId, String netns, String ifName) {
        this(containerId, netns, ifName, Map.of());
    }
}
