package io.jcontainerd.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** The parts of an OCI runtime-spec config.json that jrunc acts on; unknown fields are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Spec(String ociVersion, Process process, Root root, String hostname, String domainname,
                   List<Mount> mounts, Hooks hooks, Map<String, String> annotations, Linux linux) {
    public Spec {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        hooks = hooks == null ? Hooks.NONE : hooks;
        linux = linux == null ? Linux.EMPTY : linux;
    }
}
