package io.jcontainerd.supervisor.leases;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;

/**
 * One resource a lease holds, as containerd names them: type {@code content} (id = digest),
 * {@code ingests} (id = ingest ref) or {@code snapshots/<snapshotter>} (id = snapshot key).
 */
public record LeaseResource(String type, String id) {
    public static final String CONTENT = "content";
    public static final String INGESTS = "ingests";
    public static final String SNAPSHOTS_PREFIX = "snapshots/";

    /** Refuses unknown types and malformed ids with InvalidArgument naming them. */
    public LeaseResource {
        if (id == null || id.isEmpty()) {
            throw JcdException.invalidArgument("lease resource of type \"%s\" needs a non-empty id", type);
        }
        if (id.indexOf('\0') >= 0) {
            throw JcdException.invalidArgument("lease resource id \"%s\" must not contain NUL", id);
        }
        if (type == null) {
            throw JcdException.invalidArgument("lease resource %s needs a type: content, ingests or snapshots/<snapshotter>", id);
        }
        if (type.equals(CONTENT)) {
            Digest.parse(id);
        } else if (type.startsWith(SNAPSHOTS_PREFIX)) {
            if (type.length() == SNAPSHOTS_PREFIX.length() || type.indexOf('\0') >= 0) {
                throw JcdException.invalidArgument(
                        "lease resource type \"%s\" must name a snapshotter, e.g. snapshots/overlayfs", type);
            }
        } else if (!type.equals(INGESTS)) {
            throw JcdException.invalidArgument(
                    "unsupported lease resource type \"%s\" (id %s): use content, ingests or snapshots/<snapshotter>", type, id);
        }
    }

    public static LeaseResource content(Digest digest) {
        return new LeaseResource(CONTENT, digest.toString());
    }

    public static LeaseResource ingest(String ref) {
        return new LeaseResource(INGESTS, ref);
    }

    public boolean isContent() {
        return type.equals(CONTENT);
    }

    public boolean isSnapshot() {
        return type.startsWith(SNAPSHOTS_PREFIX);
    }

    /** The snapshotter of a {@code snapshots/<name>} resource. */
    public String snapshotter() {
        return type.substring(SNAPSHOTS_PREFIX.length());
    }
}
