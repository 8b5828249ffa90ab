package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.FilterJson;
import io.jcontainerd.supervisor.docker.images.ImageName;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code docker ps} filters ({@code ?filters={"label":["a=b"],"status":["running"]}}, or the old
 * {@code {"label":{"a=b":true}}} form): id, name, label, status, ancestor, network. Values of one key
 * are alternatives; keys all have to match.
 */
public record ContainerFilters(Map<String, List<String>> values) {
    private static final Set<String> KNOWN = Set.of("id", "name", "label", "status", "ancestor", "network");

    public static ContainerFilters parse(String json) {
        return new ContainerFilters(FilterJson.parse(json, KNOWN, "filters", false));
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
                case "network" -> network(d, v);
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

    /**
     * As dockerd's: a network the container is connected to, by name or by a prefix of its ID (an ID
     * is known once the container ran there); none and host by name.
     */
    private static boolean network(ContainerDocument d, String v) {
        String mode = CreateRequest.networkMode(d.config(), d.hostConfig());
        if ((mode.equals("none") || mode.equals("host")) && mode.equals(v)) {
            return true;
        }
        return d.attachedNetworks().stream().anyMatch(a -> a.name().equals(v) || (!a.id().isEmpty() && !v.isEmpty() && a.id().startsWith(v)));
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
