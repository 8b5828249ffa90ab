package io.jcontainerd.supervisor.images;

import java.time.Instant;
import java.util.Map;

/** A named image of a namespace: a reference such as {@code docker.io/library/busybox:latest} and its target. */
public record ImageRecord(String name, Map<String, String> labels, ImageTarget target, Instant createdAt, Instant updatedAt) {
    public ImageRecord {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
