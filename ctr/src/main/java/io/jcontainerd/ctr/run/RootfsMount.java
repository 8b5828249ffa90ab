package io.jcontainerd.ctr.run;

import java.util.List;

/**
 * One mount of a container's root filesystem as the snapshotter gives it (containerd.types.Mount: type, source, target,
 * options), read from Snapshots/Prepare's answer and sent in Tasks/Create's request on the wire (RunWire, TaskWire).
 */
public record RootfsMount(String type, String source, String target, List<String> options) {
    public RootfsMount {
        options = List.copyOf(options);
    }
}
