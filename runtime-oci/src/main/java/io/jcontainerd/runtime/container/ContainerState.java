package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.spec.Spec;

import java.util.Map;

/**
 * What jrunc keeps in &lt;root&gt;/&lt;id&gt;/state.json. The status is not stored: like runc it is derived
 * from the init process (alive, same start time), the exec fifo and the freezer.
 */
public record ContainerState(String ociVersion, String id, int pid, long pidStartTime, String bundle, String rootfs,
                             String created, String owner, Map<String, String> annotations, String cgroupsPath,
                             boolean newPidNamespace, Spec config) {
    public ContainerState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
