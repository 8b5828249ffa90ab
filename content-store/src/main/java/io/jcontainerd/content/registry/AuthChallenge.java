package io.jcontainerd.content.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header: {@code Bearer realm="…",service="…",scope="…"}
 * or {@code Basic realm="…"}. Quoted values may hold commas (scopes like "repository:a:pull,push").
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    public String param(String name) {
        return params.getOrDefault(name, "");
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    /** Parses every challenge in the given header values; unparseable parts are skipped. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String h : headerValues) {
            parseOne(h, out);
        }
        return out;
    }

    private static void parseOne(String h, List<AuthChallenge> out) {
        int i = 0;
        int n = h.length();
        while (i < n) {
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int start = i;
            while (i < n && h.charAt(i) != ' ' && h.charAt(i) != ',') i++;
            if (start == i) break;
            String scheme = h.substring(start, i);
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                int save = i;
                while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
                int ks = i;
                while (i < n && h.charAt(i) != '=' && h.charAt(i) != ' ' && h.charAt(i) != ',') i++;
                if (i >= n || h.charAt(i) != '=' || ks == i) {
                    i = save; // not a param: next challenge starts here
                    break;
                }
                String key = h.substring(ks, i).toLowerCase(Locale.ROOT);
                i++; // '='
                StringBuilder v = new StringBuilder();
                if (i < n && h.charAt(i) == '"') {
                    i++;
                    while (i < n && h.charAt(i) != '"') {
                        if (h.charAt(i) == '\\' && i + 1 < n) i++;
                        v.append(h.charAt(i++));
                    }
                    i++; // closing quote
                } else {
                    while (i < n && h.charAt(i) != ',' && h.charAt(i) != ' ') v.append(h.charAt(i++));
                }
                params.put(key, v.toString());
            }
            out.add(new AuthChallenge(scheme, params));
        }
    }
}
