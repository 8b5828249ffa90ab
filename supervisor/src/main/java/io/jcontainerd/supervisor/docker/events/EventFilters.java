package io.jcontainerd.supervisor.docker.events;

import io.jcontainerd.supervisor.docker.http.FilterJson;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code docker events --filter}: type, event, container, image, label, volume, network. Values
 * of one key are alternatives, keys all have to match. As dockerd, {@code event=health_status}
 * (and exec_create, exec_start) match the actions that start with it.
 */
public record EventFilters(Map<String, List<String>> values) implements Predicate<DockerEvent> {
    private static final Set<String> KNOWN = Set.of("type", "event", "container", "image", "label", "volume", "network");
    private static final Set<String> PREFIX_EVENTS = Set.of("health_status", "exec_create", "exec_start");

    public static EventFilters parse(String json) {
        return new EventFilters(FilterJson.parse(json, KNOWN, "event filters", true));
    }

    @Override
    public boolean test(DockerEvent e) {
        for (var f : values.entrySet()) {
            if (!f.getValue().isEmpty() && f.getValue().stream().noneMatch(v -> matches(f.getKey(), v, e))) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(String key, String v, DockerEvent e) {
        return switch (key) {
            case "type" -> e.type().equals(v);
            case "event" -> e.action().equals(v) || (PREFIX_EVENTS.contains(v) && e.action().startsWith(v + ":"));
            case "container" -> e.type().equals("container")
                    && (e.actorId().startsWith(v) || v.equals(e.attributes().get("name")) || ("/" + e.attributes().get("name")).equals(v));
            case "image" -> imageMatches(v, e);
            case "label" -> {
                String[] kv = v.split("=", 2);
                String have = e.attributes().get(kv[0]);
                yield have != null && (kv.length == 1 || kv[1].equals(have));
            }
            case "volume" -> e.type().equals("volume") && e.actorId().equals(v);
            case "network" -> e.type().equals("network") && (e.actorId().startsWith(v) || v.equals(e.attributes().get("name")));
            default -> false;
        };
    }

    private static boolean imageMatches(String v, DockerEvent e) {
        String img = e.type().equals("image") ? e.actorId() : e.attributes().getOrDefault("image", "");
        String named = e.type().equals("image") ? e.attributes().getOrDefault("name", "") : "";
        String want = normal(v);
        return (!img.isEmpty() && (img.equals(v) || normal(img).equals(want)))
                || (!named.isEmpty() && (named.equals(v) || normal(named).equals(want)));
    }

    /** busybox, library/busybox:latest and docker.io/library/busybox:latest are one image name. */
    private static String normal(String s) {
        String r = s.startsWith("docker.io/") ? s.substring("docker.io/".length()) : s;
        r = r.startsWith("library/") ? r.substring("library/".length()) : r;
        boolean tagged = r.contains("@") || r.substring(r.lastIndexOf('/') + 1).contains(":");
        return tagged || r.startsWith("sha256:") ? r : r + ":latest";
    }
}
