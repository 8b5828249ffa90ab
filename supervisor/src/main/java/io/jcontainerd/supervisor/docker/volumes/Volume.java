package io.jcontainerd.supervisor.docker.volumes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * A local volume: its name, where its data lives ({@code <root>/docker/volumes/<name>/_data}),
 * its labels, when it was made and whether it was made for one container alone (anonymous).
 */
public record Volume(String name, String mountpoint, Map<String, String> labels, String createdAt, boolean anonymous) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The label dockerd 23+ puts on anonymous volumes (what prune without all=true removes). */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    public Volume {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** As {@code docker volume inspect} shows it. */
    public ObjectNode json() {
        ObjectNode n = JSON.createObjectNode();
        n.put("CreatedAt", createdAt).put("Driver", "local");
        ObjectNode l = n.putObject("Labels");
        new java.util.TreeMap<>(labels).forEach(l::put);
        n.put("Mountpoint", mountpoint).put("Name", name);
        n.putObject("Options");
        n.put("Scope", "local");
        return n;
    }
}
