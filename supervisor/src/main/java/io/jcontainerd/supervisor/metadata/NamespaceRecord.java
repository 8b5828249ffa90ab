package io.jcontainerd.supervisor.metadata;

import java.util.Map;
import java.util.TreeMap;

/** A namespace and its labels. */
public record NamespaceRecord(String name, Map<String, String> labels) {
    public NamespaceRecord {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    /** Labels sorted by key, for stable output. */
    public Map<String, String> sortedLabels() {
        return new TreeMap<>(labels);
    }
}
