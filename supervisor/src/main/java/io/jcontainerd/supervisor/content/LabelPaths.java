package io.jcontainerd.supervisor.content;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * containerd's label update rule, shared by content and images: no paths (or {@code labels})
 * replaces all labels, {@code labels.<key>} sets one key and an empty value deletes it.
 */
public final class LabelPaths {
    private LabelPaths() {
    }

    public static Map<String, String> apply(Map<String, String> current, Map<String, String> given, List<String> paths,
                                            String subject) {
        Map<String, String> next = new HashMap<>(current);
        if (paths.isEmpty()) {
            next = new HashMap<>(given);
        }
        for (String path : paths) {
            if (path.equals("labels")) {
                next = new HashMap<>(given);
            } else if (path.startsWith("labels.")) {
                setOrDelete(next, path.substring("labels.".length()), given);
            } else {
                throw JcdException.invalidArgument(
                        "cannot update %s field of %s: only labels and labels.<key> can be updated", path, subject);
            }
        }
        next.values().removeIf(v -> v == null || v.isEmpty());
        return next;
    }

    /** Sets {@code key} from {@code given}, or deletes it when {@code given} has no value or an empty one. */
    public static void setOrDelete(Map<String, String> target, String key, Map<String, String> given) {
        String value = given.get(key);
        if (value == null || value.isEmpty()) {
            target.remove(key);
        } else {
            target.put(key, value);
        }
    }
}
