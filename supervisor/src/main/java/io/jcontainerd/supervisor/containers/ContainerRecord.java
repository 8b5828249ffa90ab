package io.jcontainerd.supervisor.containers;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container: metadata only (what runs is a task). Stored in family CONTAINERS under
 * {@code <ns> NUL <id>}.
 */
public record ContainerRecord(String id, Map<String, String> labels, String image, String runtimeName,
                              Opaque runtimeOptions, Opaque spec, String snapshotter, String snapshotKey,
                              Map<String, Opaque> extensions, String sandbox, Instant createdAt, Instant updatedAt) {
    public ContainerRecord {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        extensions = Map.copyOf(extensions == null ? Map.of() : extensions);
        image = image == null ? "" : image;
        snapshotter = snapshotter == null ? "" : snapshotter;
        snapshotKey = snapshotKey == null ? "" : snapshotKey;
        sandbox = sandbox == null ? "" : sandbox;
        runtimeOptions = runtimeOptions == null ? new Opaque("", null) : runtimeOptions;
    }

    /** Field values for containerd's container filters: id, image, runtime.name, labels.<k>. */
    public Optional<String> field(List<String> path) {
        String head = path.getFirst();
        if (path.size() == 2 && head.equals("labels")) {
            return Optional.ofNullable(labels.get(path.get(1)));
        }
        if (path.size() == 2 && head.equals("runtime") && path.get(1).equals("name")) {
            return Optional.of(runtimeName);
        }
        if (path.size() == 1) {
            return switch (head) {
                case "id" -> Optional.of(id);
                case "image" -> Optional.of(image);
                case "snapshotter" -> Optional.of(snapshotter);
                case "snapshot_key", "snapshotkey" -> Optional.of(snapshotKey);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }
}
