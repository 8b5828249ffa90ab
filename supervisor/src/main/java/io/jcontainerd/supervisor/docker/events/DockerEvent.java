package io.jcontainerd.supervisor.docker.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Map;

/**
 * One event as {@code docker events} shows it: what kind of object (container, image, volume,
 * network), what happened to it (start, die, health_status: healthy, ...), its ID and attributes.
 */
public record DockerEvent(String type, String action, String actorId, Map<String, String> attributes, long timeNano) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DockerEvent {
        attributes = Map.copyOf(attributes);
    }

    public static DockerEvent now(String type, String action, String actorId, Map<String, String> attributes) {
        Instant t = Instant.now();
        return new DockerEvent(type, action, actorId, attributes, t.getEpochSecond() * 1_000_000_000L + t.getNano());
    }

    /** The JSON dockerd streams: the old status/id/from fields too for containers and images. */
    public ObjectNode json() {
        ObjectNode n = JSON.createObjectNode();
        if (type.equals("container") || type.equals("image")) {
            n.put("status", action).put("id", actorId);
            String from = attributes.get("image");
            if (type.equals("container") && from != null) {
                n.put("from", from);
            }
        }
        n.put("Type", type).put("Action", action);
        ObjectNode actor = n.putObject("Actor").put("ID", actorId);
        ObjectNode attrs = actor.putObject("Attributes");
        new java.util.TreeMap<>(attributes).forEach(attrs::put);
        n.put("scope", "local").put("time", timeNano / 1_000_000_000L).put("timeNano", timeNano);
        return n;
    }
}
