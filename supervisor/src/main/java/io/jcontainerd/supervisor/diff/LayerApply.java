package io.jcontainerd.supervisor.diff;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.Applied;
import io.jcontainerd.snapshot.apply.MountApplier;
import io.jcontainerd.supervisor.content.NamespacedContentStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.logging.Logger;

/**
 * Diff.Apply: reads a layer blob the namespace holds and applies it to the mounts of an active
 * snapshot, returning the digest and size of the uncompressed tar (the image config's diff_id).
 */
public final class LayerApply {
    private static final Logger LOG = Logger.getLogger(LayerApply.class.getName());
    /** What containerd answers for every applied layer: the uncompressed OCI tar. */
    public static final String APPLIED_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";

    private final NamespacedContentStore content;
    private final MountApplier applier;

    public LayerApply(NamespacedContentStore content, MountApplier applier) {
        this.content = content;
        this.applier = applier;
    }

    public Applied apply(String ns, String mediaType, Digest layer, List<Mount> mounts) {
        if (mounts.isEmpty()) {
            throw JcdException.invalidArgument("apply of layer %s needs the mounts of an active snapshot; none were given", layer);
        }
        long started = System.nanoTime();
        content.info(ns, layer);
        Applied applied;
        try (InputStream in = content.backend().open(layer, 0)) {
            applied = applier.apply(mounts, in, mediaType);
        } catch (IOException e) {
            throw new UncheckedIOException("reading layer " + layer + ": " + e.getMessage(), e);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        LOG.fine(() -> "namespace=" + ns + " applied layer " + layer + " (" + mediaType + ") as " + applied.digest()
                + ", " + applied.size() + " bytes in " + ms + " ms");
        return applied;
    }
}
