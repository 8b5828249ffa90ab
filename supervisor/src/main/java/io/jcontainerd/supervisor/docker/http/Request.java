package io.jcontainerd.supervisor.docker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * One Docker API request: the method, the path without its {@code /vX.Y} prefix, the path
 * parameters the route named, the query and headers, and the body: read whole ({@code body},
 * bounded) or, on a streaming route, only as {@code stream} (then {@code body} is empty).
 */
public record Request(String method, String path, Map<String, String> params, Map<String, List<String>> query,
                      Map<String, String> headers, byte[] body, InputStream stream) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request whose body was read whole. */
    public Request(String method, String path, Map<String, String> params, Map<String, List<String>> query,
                   Map<String, String> headers, byte[] body) {
        this(method, path, params, query, headers, body, new ByteArrayInputStream(body));
    }

    /** The same request with the path parameters its route named. */
    Request withParams(Map<String, String> named) {
        return new Request(method, path, named, query, headers, body, stream);
    }

    public String param(String name) {
        return params.get(name);
    }

    /** The query value, or {@code fallback} when absent. */
    public String query(String name, String fallback) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? fallback : v.getFirst();
    }

    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** Docker's boolean query values: 1/true/True (and an empty value) are true; absent, 0 and false are false. */
    public boolean flag(String name) {
        String v = query(name, null);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "", "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw DockerApiException.badRequest("invalid boolean value for query parameter %s: %s (use 1, true, 0 or false)", name, v);
        };
    }

    /** An integer query value, or {@code fallback}; a value that is not a number is a 400 naming it. */
    public long number(String name, long fallback) {
        String v = query(name, null);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw DockerApiException.badRequest("invalid value for query parameter %s: %s is not an integer", name, v);
        }
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The body as JSON; an empty body is JSON null; malformed JSON is a 400 that says where. */
    public JsonNode json() {
        if (body.length == 0) {
            return NullNode.getInstance();
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? NullNode.getInstance() : n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw DockerApiException.badRequest("the request body is not valid JSON: %s%s", e.getOriginalMessage(),
                    at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        } catch (IOException e) {
            throw DockerApiException.badRequest("cannot read the request body: %s", e.getMessage());
        }
    }
}
