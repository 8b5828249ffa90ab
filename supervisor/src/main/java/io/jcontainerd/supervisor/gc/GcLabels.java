package io.jcontainerd.supervisor.gc;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.Map;
import java.util.function.Consumer;

/**
 * containerd's garbage-collection labels:
 * <ul>
 *   <li>{@code containerd.io/gc.root} on content: keep it whatever refers to it;</li>
 *   <li>{@code containerd.io/gc.ref.content} or {@code containerd.io/gc.ref.content.<anything>} = a digest
 *       the object refers to (manifest → config and layers, index → manifests);</li>
 *   <li>{@code containerd.io/gc.ref.snapshot.<snapshotter>} = a snapshot key the object refers to.</li>
 * </ul>
 */
public final class GcLabels {
    public static final String ROOT = "containerd.io/gc.root";
    public static final String CONTENT_REF = "containerd.io/gc.ref.content";
    public static final String SNAPSHOT_REF_PREFIX = "containerd.io/gc.ref.snapshot.";

    private GcLabels() {
    }

    public static boolean isRoot(Map<String, String> labels) {
        return labels.containsKey(ROOT);
    }

    /** The references {@code labels} name, in namespace {@code ns}; values that are not digests are ignored. */
    public static void references(String ns, Map<String, String> labels, Consumer<GcRef> out) {
        labels.forEach((key, value) -> {
            if (key.equals(CONTENT_REF) || key.startsWith(CONTENT_REF + ".")) {
                try {
                    out.accept(new GcRef.Content(ns, Digest.parse(value)));
                } catch (JcdException notADigest) {
                    // a malformed reference protects nothing; containerd ignores it too
                }
            } else if (key.startsWith(SNAPSHOT_REF_PREFIX) && key.length() > SNAPSHOT_REF_PREFIX.length() && !value.isEmpty()) {
                out.accept(new GcRef.Snapshot(ns, key.substring(SNAPSHOT_REF_PREFIX.length()), value));
            }
        });
    }
}
