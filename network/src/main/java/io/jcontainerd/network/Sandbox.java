package io.jcontainerd.network;

import java.util.List;

/**
 * A container's network as set up: its namespace, its endpoints, its published ports and the
 * /etc files to bind-mount. Persisted (one JSON file per container), so teardown works after a
 * daemon restart.
 *
 * @param namespace      the containerd namespace
 * @param containerId    the container's id
 * @param name           the name peers resolve it by on user-defined networks ("" for none)
 * @param mode           Docker's spelling of the mode: none, host, a network name, container:ID
 * @param netnsPath      the pinned network namespace to put in the spec's linux.namespaces (null for host)
 * @param ownsNetns      whether teardown removes the namespace (false for host and container:ID)
 * @param hostname       the container's hostname
 * @param domainname     its domain name ("" for none)
 * @param endpoints      one per network, eth0 first
 * @param ports          published ports with their host ports chosen
 * @param extraHosts     --add-host entries as "name:ip"
 * @param hostsPath      the file to bind-mount on /etc/hosts
 * @param resolvConfPath the file to bind-mount on /etc/resolv.conf
 * @param hostnamePath   the file to bind-mount on /etc/hostname
 */
public record Sandbox(String namespace, String containerId, String name, String mode, String netnsPath, boolean ownsNetns,
                      String hostname, String domainname, List<Endpoint> endpoints, List<PortMapping> ports, List<String> extraHosts,
                      String hostsPath, String resolvConfPath, String hostnamePath) {
    public Sandbox {
        domainname = domainname == null ? "" : domainname;
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        ports = ports == null ? List.of() : List.copyOf(ports);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    }

    public NetworkMode networkMode() {
        return NetworkMode.parse(mode);
    }

    /** The endpoint on network {@code network} (by name). */
    public java.util.Optional<Endpoint> endpoint(String network) {
        return endpoints.stream().filter(e -> e.network().equals(network)).findFirst();
    }

    Sandbox withEndpoints(List<Endpoint> endpoints) {
        return new Sandbox(namespace, containerId, name, mode, netnsPath, ownsNetns, hostname, domainname, endpoints, ports, extraHosts,
                hostsPath, resolvConfPath, hostnamePath);
    }
}
