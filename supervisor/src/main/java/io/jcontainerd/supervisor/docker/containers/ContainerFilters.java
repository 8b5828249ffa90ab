package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.images.ImageName;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code docker ps} filters ({@code ?filters={"label":["a=b"],"status":["running"]}}, or the old
 * {@code {"label":{"a=b":true}}} form): id, name, label, status, ancestor. Values of one key
 * are alternatives; keys all have to match.
 */
public record ContainerFilters(Map<String, List<String>> values) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KNOWN = Set.of("id", "name", "label", "status", "ancestor");

    public static ContainerFilters parse(String json) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return new ContainerFilters(out);
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw DockerApiException.badRequest("invalid filters: %s is not JSON", json);
        }
        if (n == null || !n.isObject()) {
            throw DockerApiException.badRequest("invalid filters: %s is not a JSON object", json);
        }
        for (var e : n.properties()) {
            if (!KNOWN.contains(e.getKey())) {
                throw DockerApiException.badRequest("invalid filter '%s': the filters supported are %s", e.getKey(), KNOWN);
            }
            List<String> v = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(x -> v.add(x.asText()));
            } else if (e.getValue().isObject()) {
                e.getValue().properties().forEach(x -> {
                    if (x.getValue().asBoolean(false)) {
                        v.add(x.getKey());
                    }
                });
            }
            out.put(e.getKey(), v);
        }
        return new ContainerFilters(out);
    }

    public boolean matches(ContainerDocument d, List<String> imageNames) {
        for (var e : values.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            boolean any = e.getValue().stream().anyMatch(v -> switch (e.getKey()) {
                case "id" -> d.id().startsWith(v);
                case "name" -> d.name().contains(v.startsWith("/") ? v.substring(1) : v);
                case "status" -> d.state().status().equals(v);
                case "label" -> label(d, v);
                case "ancestor" -> ancestor(d, imageNames, v);
                default -> false;
            });
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean label(ContainerDocument d, String v) {
        String[] kv = v.split("=", 2);
        JsonNode labels = d.config().path("Labels");
        if (!labels.has(kv[0])) {
            return false;
        }
        return kv.length == 1 || labels.path(kv[0]).asText().equals(kv[1]);
    }

    private static boolean ancestor(ContainerDocument d, List<String> imageNames, String v) {
        if (d.imageId().equals(v) || d.imageId().substring(7).startsWith(v.startsWith("sha256:") ? v.substring(7) : v)) {
            return true;
        }
        try {
            String full = ImageName.parse(v).full();
            return imageNames.contains(full) || ImageName.parse(d.image()).full().equals(full);
        } catch (DockerApiException e) {
            return false;
        }
    }
}
