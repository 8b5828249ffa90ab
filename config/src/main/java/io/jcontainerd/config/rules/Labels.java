package io.jcontainerd.config.rules;

import io.jcontainerd.config.errdefs.JcdException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** containerd's label rule: a key and its value together take at most 4096 bytes. */
public final class Labels {
    public static final int MAX_SIZE = 4096;

    private Labels() {
    }

    public static Map<String, String> validate(Map<String, String> labels) {
        labels.forEach(Labels::validate);
        return labels;
    }

    public static void validate(String key, String value) {
        if (key == null || key.isEmpty()) {
            throw JcdException.invalidArgument("label key must not be empty");
        }
        int size = key.getBytes(StandardCharsets.UTF_8).length
                + (value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length);
        if (size > MAX_SIZE) {
            throw JcdException.invalidArgument("label %s: key and value are %d bytes, at most %d are allowed",
                    key.length() > 64 ? key.substring(0, 64) + "..." : key, size, MAX_SIZE);
        }
    }
}
