package io.jcontainerd.content.registry;

import java.util.List;

/** Where to go for a registry name: mirrors first, the upstream last (containerd's RegistryHosts). */
@FunctionalInterface
public interface RegistryHosts {

    /** The endpoints for a registry as named in image references ("docker.io", "localhost:5000"). */
    List<RegistryHost> lookup(String registry);

    /** No hosts.toml: docker.io → registry-1.docker.io over https; loopback registries over plain http. */
    static RegistryHosts defaults() {
        return HostsDirectory::defaultHosts;
    }
}
