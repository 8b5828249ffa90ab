package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerFilter;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.PodSandboxFilter;
import io.jcontainerd.api.cri.v1.PodSandboxState;

import java.util.Map;

/**
 * The CRI's list filters, as containerd's cri applies them: every field given must match (AND);
 * an id matches itself or a prefix of it; a label selector matches when every key is present with
 * the same value.
 */
final class CriFilters {
    private CriFilters() {
    }

    static boolean sandboxMatches(PodSandboxFilter f, String id, PodSandboxState state, Map<String, String> labels) {
        return idMatches(f.getId(), id)
                && (!f.hasState() || f.getState().getState() == state)
                && labelsMatch(f.getLabelSelectorMap(), labels);
    }

    static boolean containerMatches(ContainerFilter f, String id, ContainerState state, String sandboxId, Map<String, String> labels) {
        return idMatches(f.getId(), id)
                && (!f.hasState() || f.getState().getState() == state)
                && idMatches(f.getPodSandboxId(), sandboxId)
                && labelsMatch(f.getLabelSelectorMap(), labels);
    }

    static boolean idMatches(String wanted, String id) {
        return wanted.isEmpty() || id.startsWith(wanted);
    }

    static boolean labelsMatch(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
