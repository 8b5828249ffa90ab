package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Resources;
import io.jcontainerd.runtime.spec.SpecJson;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `jrunc update`: a LinuxResources JSON tree merged into the container's linux.resources the way runc
 * merges it. A field the request leaves out, or gives runc's "no change" value (0, or "" for the
 * cpuset), keeps its current value; a memory limit of -1 without a swap value lifts swap too; device
 * rules cannot be updated and are ignored, as runc ignores them.
 */
record ResourceUpdate(Map<String, Object> merged, Resources resources) {
    private static final Set<String> SECTIONS = Set.of("memory", "cpu", "pids", "blockIO");

    /**
     * @param current the container's linux.resources tree (null when config.json had none)
     * @param request what `update` was given, a LinuxResources object
     * @param source  where the request came from, for errors
     */
    @SuppressWarnings("unchecked")
    static ResourceUpdate of(Object current, Object request, String source) {
        if (!(request instanceof Map<?, ?> req)) throw JruncException.invalidArgument("%s: must be a LinuxResources JSON object", source);
        try {
            SpecJson.resources(req); // types checked before anything is merged
        } catch (JruncException e) {
            throw JruncException.invalidArgument("%s: %s", source, e.getMessage().replaceFirst("^config\\.json: ", ""));
        }
        Map<String, Object> merged = copy(current instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
        for (var e : ((Map<String, Object>) req).entrySet()) {
            String section = e.getKey();
            if (section.equals("devices")) continue;
            if (!SECTIONS.contains(section)) {
                if (isEmpty(e.getValue())) continue;
                throw JruncException.invalidArgument("%s: %s cannot be updated by jrunc (it updates memory, cpu, pids and blockIO.weight)", source, section);
            }
            if (e.getValue() == null) continue;
            Map<String, Object> into = (Map<String, Object>) merged.computeIfAbsent(section, k -> new LinkedHashMap<>());
            for (var f : ((Map<String, Object>) e.getValue()).entrySet()) {
                if (!unchanged(f.getKey(), f.getValue())) into.put(f.getKey(), f.getValue());
            }
        }
        if (req.get("memory") instanceof Map<?, ?> mem && Long.valueOf(-1).equals(mem.get("limit")) && mem.get("swap") == null) {
            ((Map<String, Object>) merged.get("memory")).put("swap", -1L);
        }
        return new ResourceUpdate(merged, SpecJson.resources(merged));
    }

    private static boolean unchanged(String field, Object value) {
        if (value == null) return true;
        if (field.equals("swappiness")) return false; // 0 is a real swappiness
        return value.equals(0L) || value.equals("");
    }

    private static boolean isEmpty(Object v) {
        return v == null || (v instanceof Map<?, ?> m && m.isEmpty()) || (v instanceof List<?> l && l.isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> sub ? copy((Map<String, Object>) sub) : v));
        return out;
    }
}
