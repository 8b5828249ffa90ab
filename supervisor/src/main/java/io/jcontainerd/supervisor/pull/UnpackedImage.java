package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.image.Digest;

import java.util.List;

/**
 * One platform image unpacked into a snapshotter.
 *
 * @param platform     e.g. "linux/amd64"
 * @param manifest     the platform manifest's digest
 * @param chainIds     the committed snapshot of each layer, bottom first; the last is the image's rootfs parent
 * @param layersApplied how many layers this pull applied (0 when every snapshot existed)
 */
public record UnpackedImage(String platform, Digest manifest, List<Digest> chainIds, int layersApplied) {
    public UnpackedImage {
        chainIds = List.copyOf(chainIds);
    }

    /** The top layer's chain ID, or empty for an image without layers. */
    public String topChainId() {
        return chainIds.isEmpty() ? "" : chainIds.getLast().toString();
    }
}
