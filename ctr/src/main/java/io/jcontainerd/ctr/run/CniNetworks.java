package io.jcontainerd.ctr.run;

import io.jcontainerd.config.ConfigLoader;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.EtcFiles;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.NetworkMode;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.network.SandboxRequest;

import java.nio.file.Path;

/**
 * {@code jctr run --cni}: the client attaches the container to the default bridge network itself
 * (as ctr does with libcni), in the daemon's network records (root and state from the daemon's
 * jcontainerd.toml), so a later {@code jctr containers rm} or the daemon can tear it down.
 */
public final class CniNetworks {
    private final DaemonConfig config;

    private CniNetworks(DaemonConfig config) {
        this.config = config;
    }

    /** Reads {@code configFile} (the daemon's jcontainerd.toml; missing is fine when it is the default one). */
    public static CniNetworks of(Path configFile) {
        try {
            return new CniNetworks(ConfigLoader.load(configFile, !configFile.equals(DaemonConfig.DEFAULT_CONFIG_FILE)));
        } catch (JcdException e) {
            throw new RunException(e.getMessage());
        }
    }

    /** CNI ADD on the default network; the container's hostname is its id when that is a host name. */
    public RunOptions.CniAttachment setUp(String namespace, String id) {
        try {
            Sandbox s = NetworkManager.open(config).setUp(SandboxRequest.of(namespace, id, NetworkMode.BRIDGE)
                    .withHostname(EtcFiles.isHostname(id) ? id : "", ""));
            return new RunOptions.CniAttachment(s.netnsPath(), s.hostsPath(), s.resolvConfPath(), s.hostnamePath());
        } catch (JcdException e) {
            throw new RunException("--cni: " + e.getMessage());
        }
    }

    /** CNI DEL and the namespace gone, if the container had a network; false if it had none. */
    public boolean tearDown(String namespace, String id) {
        if (!NetworkManager.hasRecord(config.root(), namespace, id)) {
            return false;
        }
        try {
            return NetworkManager.open(config).tearDown(namespace, id);
        } catch (JcdException e) {
            throw new RunException("network of container " + id + " not torn down: " + e.getMessage());
        }
    }
}
