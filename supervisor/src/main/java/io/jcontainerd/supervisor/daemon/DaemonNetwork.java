package io.jcontainerd.supervisor.daemon;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.supervisor.containers.ContainerStore;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's one network manager, handed to both front ends that give containers networks (the
 * Docker facade and CRI): one set of in-memory locks (per container, ports, /etc/hosts of peers,
 * bridge isolation) over the records under {@code <root>/network}. Opened at first use, so a daemon
 * whose subnet clashes still serves the containerd API; networks of containers deleted while the
 * daemon was down are torn down then.
 */
final class DaemonNetwork implements Supplier<NetworkManager> {
    private static final Logger LOG = Logger.getLogger(DaemonNetwork.class.getName());
    private final DaemonConfig config;
    private final ContainerStore containers;
    private NetworkManager manager;

    DaemonNetwork(DaemonConfig config, ContainerStore containers) {
        this.config = config;
        this.containers = containers;
    }

    @Override
    public synchronized NetworkManager get() {
        if (manager == null) {
            NetworkManager m = NetworkManager.open(config);
            var gone = m.tearDownUnless(s -> containers.find(s.namespace(), s.containerId()).isPresent());
            LOG.info(() -> "network manager opened over " + config.root().resolve("network") + " (one for the Docker API and CRI)"
                    + (gone.isEmpty() ? "" : "; tore down the networks of " + gone.size() + " containers deleted while the daemon was down"));
            manager = m;
        }
        return manager;
    }
}
