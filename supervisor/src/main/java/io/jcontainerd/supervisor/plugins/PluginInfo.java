package io.jcontainerd.supervisor.plugins;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One plugin as Introspection reports it: what jcontainerd serves, by containerd's plugin
 * types ({@code io.containerd.grpc.v1}, {@code io.containerd.snapshotter.v1}, ...).
 *
 * @param initError why the plugin cannot be used, if it cannot
 * @param platforms "os/architecture" pairs the plugin works for; empty means any
 */
public record PluginInfo(String type, String id, List<String> requires, Map<String, String> exports,
                         List<String> capabilities, List<String> platforms, Optional<String> initError) {

    public static PluginInfo ok(String type, String id) {
        return new PluginInfo(type, id, List.of(), Map.of(), List.of(), List.of(), Optional.empty());
    }

    /** A plugin that only works on this machine's platform (snapshotters, runtimes). */
    public static PluginInfo hostOnly(String type, String id) {
        return new PluginInfo(type, id, List.of(), Map.of(), List.of(), List.of("linux/" + hostArchitecture()), Optional.empty());
    }

    public static PluginInfo failed(String type, String id, String why) {
        return new PluginInfo(type, id, List.of(), Map.of(), List.of(), List.of(), Optional.of(why));
    }

    /** The OCI name of the JVM's architecture (amd64, arm64, ...). */
    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> System.getProperty("os.arch");
        };
    }

    /** Field values for filters ({@code type}, {@code id}). */
    public Optional<String> field(List<String> path) {
        if (path.size() != 1) {
            return Optional.empty();
        }
        return switch (path.getFirst()) {
            case "type" -> Optional.of(type);
            case "id" -> Optional.of(id);
            default -> Optional.empty();
        };
    }
}
