package io.jcontainerd.supervisor.docker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code filters} query parameter: {@code {"label":["a=b"]}} or the old
 * {@code {"label":{"a=b":true}}} form, as key → alternatives. Keys outside {@code known} are a 400.
 */
public final class FilterJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FilterJson() {
    }

    /**
     * @param what         names the filters in the error for an unknown key ("filters", "event filters")
     * @param listsOnly    a value that is neither a list nor the old object form is a 400 (else it matches nothing)
     */
    public static Map<String, List<String>> parse(String json, Set<String> known, String what, boolean listsOnly) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return out;
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
            if (!known.contains(e.getKey())) {
                throw DockerApiException.badRequest("invalid filter '%s': the %s supported are %s", e.getKey(), what, known);
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
            } else if (listsOnly) {
                throw DockerApiException.badRequest("invalid filter '%s': its values must be a list", e.getKey());
            }
            out.put(e.getKey(), v);
        }
        return out;
    }
}
