package io.jcontainerd.supervisor.docker.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One route table for every API version: {@code /v1.41/containers/json} and
 * {@code /containers/json} are the same route. A pattern segment {@code {name}} takes one path
 * segment, {@code {name*}} one or more (image names have slashes).
 */
public final class Router {
    private static final Pattern VERSION = Pattern.compile("^/v\\d+\\.\\d+(?=/)");

    /** What a route does with its request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request, Exchange exchange) throws Exception;
    }

    record Route(String method, List<String> segments, Handler handler, boolean streamsBody) {
    }

    /** A matched route and the path parameters it named. */
    public record Match(Handler handler, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, segments(pattern), handler, false));
        return this;
    }

    /**
     * A route whose request body is read as a stream ({@link Request#stream()}), never held whole:
     * docker cp's and docker load's tarballs. Every other route's body is read whole, bounded.
     */
    public Router addStreaming(String method, String pattern, Handler handler) {
        routes.add(new Route(method, segments(pattern), handler, true));
        return this;
    }

    /** True if the route of {@code method} and the (unversioned) {@code path} reads its body as a stream. */
    public boolean streamsBody(String method, String path) {
        List<String> parts = segments(path);
        return routes.stream().filter(r -> r.method.equals(method)).filter(r -> match(r.segments, parts) != null)
                .findFirst().map(Route::streamsBody).orElse(false);
    }

    /** The path without its {@code /vX.Y} prefix. */
    public static String unversioned(String path) {
        return VERSION.matcher(path).replaceFirst("");
    }

    /** The route for {@code method} and the (unversioned) {@code path}; HEAD falls back to GET. */
    public Optional<Match> match(String method, String path) {
        List<String> parts = segments(path);
        for (String m : method.equals("HEAD") ? List.of("HEAD", "GET") : List.of(method)) {
            for (Route r : routes) {
                if (r.method.equals(m)) {
                    Map<String, String> params = match(r.segments, parts);
                    if (params != null) {
                        return Optional.of(new Match(r.handler, params));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** True if some route has this path under another method (a 405, not a 404). */
    public boolean knowsPath(String path) {
        List<String> parts = segments(path);
        return routes.stream().anyMatch(r -> match(r.segments, parts) != null);
    }

    static Map<String, String> match(List<String> pattern, List<String> path) {
        Map<String, String> params = new HashMap<>();
        int greedy = -1;
        for (int i = 0; i < pattern.size(); i++) {
            if (pattern.get(i).endsWith("*}")) {
                greedy = i;
            }
        }
        if (greedy < 0) {
            if (pattern.size() != path.size()) {
                return null;
            }
            return matchRange(pattern, 0, path, 0, pattern.size(), params) ? params : null;
        }
        int suffix = pattern.size() - greedy - 1;
        if (path.size() < pattern.size()) {
            return null;
        }
        if (!matchRange(pattern, 0, path, 0, greedy, params)
                || !matchRange(pattern, greedy + 1, path, path.size() - suffix, suffix, params)) {
            return null;
        }
        String name = pattern.get(greedy);
        params.put(name.substring(1, name.length() - 2), String.join("/", path.subList(greedy, path.size() - suffix)));
        return params;
    }

    private static boolean matchRange(List<String> pattern, int p, List<String> path, int q, int n, Map<String, String> params) {
        for (int i = 0; i < n; i++) {
            String seg = pattern.get(p + i);
            String actual = path.get(q + i);
            if (seg.startsWith("{") && seg.endsWith("}")) {
                if (actual.isEmpty()) {
                    return false;
                }
                params.put(seg.substring(1, seg.length() - 1), actual);
            } else if (!seg.equals(actual)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? List.of() : List.of(p.split("/", -1));
    }
}
