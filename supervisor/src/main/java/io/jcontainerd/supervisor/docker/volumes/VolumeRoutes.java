package io.jcontainerd.supervisor.docker.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /volumes}: docker volume create, ls, inspect, rm, prune (local driver only). */
public final class VolumeRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FILTERS = Set.of("dangling", "name", "label", "driver", "all");
    private final VolumeMounts volumes;

    public VolumeRoutes(VolumeMounts volumes) {
        this.volumes = volumes;
    }

    public void register(Router r) {
        r.add("GET", "/volumes", this::list)
                .add("POST", "/volumes/create", this::create)
                .add("POST", "/volumes/prune", this::prune)
                .add("GET", "/volumes/{name}", (q, x) -> x.json(200, volumes.store().get(q.param("name")).json()))
                .add("DELETE", "/volumes/{name}", (q, x) -> {
                    volumes.remove(q.param("name"));
                    x.noContent();
                });
    }

    void create(Request q, Exchange x) {
        JsonNode body = q.json();
        if (!body.isObject() && !body.isNull()) {
            throw DockerApiException.badRequest("the volume create body must be a JSON object with Name, Driver, DriverOpts, Labels");
        }
        String driver = body.path("Driver").asText("");
        if (!driver.isEmpty() && !driver.equals("local")) {
            throw DockerApiException.notFound("error looking up volume plugin %s: plugin \"%s\" not found (only the local driver is available)", driver, driver);
        }
        if (body.path("DriverOpts").size() > 0) {
            throw DockerApiException.badRequest("DriverOpts %s are not supported: jcontainerd's local volumes are plain directories", body.path("DriverOpts"));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        x.json(201, volumes.create(body.path("Name").asText(""), labels).json());
    }

    void list(Request q, Exchange x) {
        Map<String, List<String>> f = filters(q);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("Volumes");
        for (Volume v : volumes.store().all()) {
            if (matches(v, f)) {
                a.add(v.json());
            }
        }
        out.putNull("Warnings");
        x.json(200, out);
    }

    /** Removes the volumes no container uses (that the filters let through), as dockerd's API 1.41 prune. */
    void prune(Request q, Exchange x) {
        Map<String, List<String>> f = filters(q);
        ArrayNode deleted = JSON.createArrayNode();
        long reclaimed = 0;
        for (Volume v : volumes.store().all()) {
            if (!matchesLabels(v, f.getOrDefault("label", List.of())) || !volumes.users(v.name()).isEmpty()) {
                continue;
            }
            long size = volumes.store().size(v);
            try {
                volumes.remove(v.name());
            } catch (DockerApiException e) {
                continue; // taken meanwhile
            }
            deleted.add(v.name());
            reclaimed += Math.max(0, size);
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("VolumesDeleted", deleted);
        out.put("SpaceReclaimed", reclaimed);
        x.json(200, out);
    }

    private boolean matches(Volume v, Map<String, List<String>> f) {
        for (var e : f.entrySet()) {
            List<String> vals = e.getValue();
            if (vals.isEmpty()) {
                continue;
            }
            boolean ok = switch (e.getKey()) {
                case "name" -> vals.stream().anyMatch(n -> v.name().contains(n));
                case "driver" -> vals.contains("local");
                case "label" -> matchesLabels(v, vals);
                case "dangling" -> {
                    boolean dangling = volumes.users(v.name()).isEmpty();
                    yield vals.stream().anyMatch(d -> (d.equals("true") || d.equals("1")) == dangling);
                }
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesLabels(Volume v, List<String> labels) {
        for (String l : labels) {
            String[] kv = l.split("=", 2);
            String have = v.labels().get(kv[0]);
            if (have == null || (kv.length == 2 && !kv[1].equals(have))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, List<String>> filters(Request q) {
        String raw = q.query("filters", "");
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isBlank()) {
            return out;
        }
        JsonNode n;
        try {
            n = JSON.readTree(raw);
        } catch (IOException e) {
            throw DockerApiException.badRequest("invalid filters: %s is not JSON", raw);
        }
        if (n == null || !n.isObject()) {
            throw DockerApiException.badRequest("invalid filters: %s is not a JSON object", raw);
        }
        for (var e : n.properties()) {
            if (!FILTERS.contains(e.getKey())) {
                throw DockerApiException.badRequest("invalid filter '%s': the volume filters supported are %s", e.getKey(), FILTERS);
            }
            List<String> v = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(y -> v.add(y.asText()));
            } else {
                e.getValue().properties().forEach(y -> {
                    if (y.getValue().asBoolean(false)) {
                        v.add(y.getKey());
                    }
                });
            }
            out.put(e.getKey(), v);
        }
        return out;
    }
}
