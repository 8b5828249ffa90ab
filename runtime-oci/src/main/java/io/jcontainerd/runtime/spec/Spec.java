package io.jcontainerd.runtime.spec;


import java.util.List;
import java.util.Map;

/** The parts of an OCI runtime-spec config.json that jrunc acts on; unknown fields are ignored. */
public record Spec(String ociVersion, Process process, Root root, String hostname, String domainname,
                   List<Mount> mounts, Hooks hooks, Map<String, String> annotations, Linux linux) {
    public Spec {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        hooks = hooks == null ? Hooks.NONE : hooks;
        linux = linux == null ? Linux.EMPTY : linux;
    }
}
