package io.jcontainerd.supervisor.leases;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A lease: a named set of resources the garbage collector must keep while the lease lives. */
public record LeaseRecord(String id, Map<String, String> labels, Instant createdAt) {
    /** The label that makes a lease expire (RFC 3339 time), as containerd's clients set it. */
    public static final String EXPIRE_LABEL = "containerd.io/gc.expire";

    public LeaseRecord {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    public Optional<String> expireLabel() {
        return Optional.ofNullable(labels.get(EXPIRE_LABEL));
    }
}
