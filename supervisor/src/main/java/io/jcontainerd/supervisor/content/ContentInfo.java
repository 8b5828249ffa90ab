package io.jcontainerd.supervisor.content;

import io.jcontainerd.content.image.Digest;

import java.time.Instant;
import java.util.Map;

/** A blob as one namespace sees it: the backend's size plus the namespace's labels and times. */
public record ContentInfo(Digest digest, long size, Map<String, String> labels, Instant createdAt, Instant updatedAt) {
    public ContentInfo {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
