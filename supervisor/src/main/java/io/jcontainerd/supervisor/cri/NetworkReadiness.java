package io.jcontainerd.supervisor.cri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether pods can get a network: the CNI plugins the network module runs for a pod (bridge,
 * host-local, portmap) are executables in one of {@code [network] plugin_dirs}. Checked at every
 * Status call, so installing the plugins makes the node ready without a restart.
 */
public final class NetworkReadiness {
    static final List<String> PLUGINS = List.of("bridge", "host-local", "portmap");
    private final List<Path> pluginDirs;

    public NetworkReadiness(List<Path> pluginDirs) {
        this.pluginDirs = List.copyOf(pluginDirs);
    }

    /** The condition: ready, or not with the missing plugins named and what to do. */
    public Condition check() {
        List<String> missing = new ArrayList<>();
        for (String p : PLUGINS) {
            if (pluginDirs.stream().noneMatch(d -> Files.isExecutable(d.resolve(p)) && Files.isRegularFile(d.resolve(p)))) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return new Condition(true, "", "");
        }
        return new Condition(false, "NetworkPluginNotReady",
                "CNI plugins " + String.join(", ", missing) + " not found in " + pluginDirs
                        + ": install Debian's containernetworking-plugins or set [network] plugin_dirs");
    }

    /** A CRI RuntimeCondition's status, reason (CamelCase) and message. */
    public record Condition(boolean ready, String reason, String message) {
    }
}
