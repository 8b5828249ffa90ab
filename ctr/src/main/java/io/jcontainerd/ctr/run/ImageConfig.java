package io.jcontainerd.ctr.run;

import java.util.List;
import java.util.Map;

/**
 * What {@code run} takes from an image: its layers' diff IDs (for the snapshot parent) and the
 * config's process defaults, as containerd's {@code WithImageConfig} reads them.
 */
public record ImageConfig(String name, List<String> diffIds, List<String> env, List<String> entrypoint,
                          List<String> cmd, String workingDir, String user, String stopSignal,
                          Map<String, String> labels) {
    public ImageConfig {
        diffIds = List.copyOf(diffIds);
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        labels = Map.copyOf(labels);
    }

    /** The chain ID of the top layer: the committed snapshot a container's rootfs starts from. */
    public String topChainId() {
        return ChainIds.of(diffIds);
    }
}
