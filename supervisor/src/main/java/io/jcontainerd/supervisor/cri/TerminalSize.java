package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Optional;

/** A resize message of the channel protocols (channel 4): {@code {"Width":80,"Height":24}}, at most 1 KiB. */
record TerminalSize(int width, int height) {
    static Optional<TerminalSize> parse(byte[] json) {
        if (json.length > 1024) {
            return Optional.empty();
        }
        try {
            JsonNode n = PodSpecs.JSON.readTree(json);
            // Go decodes JSON field names case-insensitively: kubectl sends Width/Height
            int w = field(n, "width");
            int h = field(n, "height");
            return w > 0 && h > 0 && w <= 65535 && h <= 65535 ? Optional.of(new TerminalSize(w, h)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int field(JsonNode n, String name) {
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equalsIgnoreCase(name) && n.get(f).canConvertToInt()) {
                return n.get(f).asInt();
            }
        }
        return -1;
    }
}
