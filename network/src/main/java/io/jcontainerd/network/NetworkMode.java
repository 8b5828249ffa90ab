package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;

/**
 * How a container is networked, as Docker's HostConfig.NetworkMode says it.
 */
public sealed interface NetworkMode {
    /** A network namespace of its own with only loopback, up. */
    record None() implements NetworkMode {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** The host's network namespace: no namespace, no CNI. */
    record Host() implements NetworkMode {
        @Override
        public String toString() {
            return "host";
        }
    }

    /** A namespace of its own attached to {@code network} ("bridge" is the default network) as eth0. */
    record Network(String network) implements NetworkMode {
        @Override
        public String toString() {
            return network;
        }
    }

    /** The network namespace (and hosts, resolv.conf, hostname files) of container {@code containerId}. */
    record Container(String containerId) implements NetworkMode {
        @Override
        public String toString() {
            return "container:" + containerId;
        }
    }

    NetworkMode NONE = new None();
    NetworkMode HOST = new Host();
    NetworkMode BRIDGE = new Network(NetworkManager.DEFAULT_NETWORK);

    /** Docker's spelling: "", "default", "bridge", "none", "host", "container:ID" or a network name. */
    static NetworkMode parse(String text) {
        if (text == null || text.isEmpty() || text.equals("default") || text.equals(NetworkManager.DEFAULT_NETWORK)) {
            return BRIDGE;
        }
        if (text.equals("none")) {
            return NONE;
        }
        if (text.equals("host")) {
            return HOST;
        }
        if (text.startsWith("container:")) {
            String id = text.substring("container:".length());
            if (id.isEmpty()) {
                throw JcdException.invalidArgument("network mode \"container:\" names no container: use container:<id>");
            }
            return new Container(id);
        }
        return new Network(text);
    }
}
