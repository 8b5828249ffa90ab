package io.jcontainerd.supervisor.diff;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.apply.Compression;
import io.jcontainerd.snapshot.diff.DiffResult;
import io.jcontainerd.snapshot.diff.Differ;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.content.NamespacedWriter;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Diff.Diff: the layer that turns the {@code lower} mounts into the {@code upper} mounts, written
 * straight into the namespace's content store and labelled with its uncompressed digest, as
 * containerd's walking differ does (for commit and export).
 */
public final class LayerDiff {
    public static final String UNCOMPRESSED_LABEL = "containerd.io/uncompressed";

    private final NamespacedContentStore content;
    private final Differ differ;

    public LayerDiff(NamespacedContentStore content, Differ differ) {
        this.content = content;
        this.differ = differ;
    }

    /** What was written: the blob's media type, digest and size, and the tar's digest (diff_id). */
    public record Written(String mediaType, Digest digest, long size, String diffId) {
    }

    public Written diff(String ns, List<Mount> lower, List<Mount> upper, String mediaType, String ref,
                        Map<String, String> labels, Optional<String> lease) {
        if (upper.isEmpty()) {
            throw JcdException.invalidArgument("diff needs the mounts of the upper (changed) snapshot; none were given");
        }
        Compression compression = mediaType == null || mediaType.isEmpty() ? Compression.GZIP : Compression.fromMediaType(mediaType);
        String ingest = ref == null || ref.isEmpty() ? "diff-" + UUID.randomUUID() : ref;
        try (NamespacedWriter w = content.writer(ns, ingest, 0, null, lease)) {
            w.truncate(0);
            DiffResult r = differ.compare(lower, upper, compression, new OutputStream() {
                @Override
                public void write(int b) {
                    w.write(ByteBuffer.wrap(new byte[]{(byte) b}));
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    w.write(ByteBuffer.wrap(b, off, len));
                }
            });
            Map<String, String> all = new HashMap<>(labels);
            all.put(UNCOMPRESSED_LABEL, r.diffId());
            Digest digest = Digest.parse(r.digest());
            try {
                w.commit(r.size(), digest, all);
            } catch (JcdException e) {
                if (e.kind() != io.jcontainerd.config.errdefs.ErrorKind.ALREADY_EXISTS) {
                    throw e;
                }
                // the same layer is already there: containerd answers with it too
            }
            ContentInfo info = content.info(ns, digest);
            return new Written(r.mediaType(), info.digest(), info.size(), r.diffId());
        }
    }
}
