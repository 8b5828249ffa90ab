package io.jcontainerd.supervisor.cri;

/**
 * What the CRI keeps about a pod sandbox beside its config (a container extension, JSON).
 *
 * @param createdAt     nanoseconds since the epoch
 * @param netnsPath     the pinned network namespace (empty for hostNetwork)
 * @param ip            the pod's IPv4 address on the pod network (empty for hostNetwork)
 */
record SandboxState(long createdAt, boolean hostNetwork, String netnsPath, String ip, String hostsPath, String resolvConfPath,
                    String hostnamePath) {
    PodSpecs.PodNetwork network() {
        return new PodSpecs.PodNetwork(netnsPath, hostsPath, resolvConfPath, hostnamePath);
    }
}
