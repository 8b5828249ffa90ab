package io.jcontainerd.network;

import java.util.List;

/**
 * What a caller asks for when it sets up a container's network (docker run's networking flags).
 *
 * @param namespace   containerd namespace
 * @param containerId container id
 * @param name        the name peers resolve it by on user-defined networks ("" for none)
 * @param mode        none, host, a network, container:ID
 * @param ports       -p / -P (host port 0: picked)
 * @param aliases     --network-alias on the first network
 * @param hostname    --hostname ("" for the first 12 characters of the id; host mode: the host's)
 * @param domainname  --domainname ("" for none)
 * @param extraHosts  --add-host "name:ip" ("host-gateway" as ip: the network's gateway)
 * @param dns         --dns servers (empty: the host's, loopback ones left out)
 * @param dnsSearch   --dns-search domains
 * @param dnsOptions  --dns-option options
 */
public record SandboxRequest(String namespace, String containerId, String name, NetworkMode mode, List<PortMapping> ports,
                             List<String> aliases, String hostname, String domainname, List<String> extraHosts,
                             List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
    public SandboxRequest {
        name = name == null ? "" : name;
        hostname = hostname == null ? "" : hostname;
        domainname = domainname == null ? "" : domainname;
        ports = ports == null ? List.of() : List.copyOf(ports);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        dns = dns == null ? List.of() : List.copyOf(dns);
        dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
        dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
    }

    /** Only the mode; everything else empty. */
    public static SandboxRequest of(String namespace, String containerId, NetworkMode mode) {
        return new SandboxRequest(namespace, containerId, "", mode, List.of(), List.of(), "", "", List.of(), List.of(), List.of(), List.of());
    }

    public SandboxRequest withName(String name) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }

    public SandboxRequest withPorts(List<PortMapping> ports) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }

    public SandboxRequest withAliases(List<String> aliases) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }

    public SandboxRequest withHostname(String hostname, String domainname) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }

    public SandboxRequest withExtraHosts(List<String> extraHosts) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }

    public SandboxRequest withDns(List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
        return new SandboxRequest(namespace, containerId, name, mode, ports, aliases, hostname, domainname, extraHosts, dns, dnsSearch, dnsOptions);
    }
}
