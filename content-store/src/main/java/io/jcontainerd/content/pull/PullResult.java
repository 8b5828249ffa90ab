package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a pull brought in.
 *
 * @param root            the descriptor the reference resolved to (index or manifest): the image record's target
 * @param images          the platform images fetched
 * @param labels          containerd's GC and distribution labels per blob, for the metadata layer to store
 * @param bytesDownloaded bytes that crossed the network in this pull (resumed ingests count only the rest)
 * @param blobsFetched    blobs committed by this pull
 * @param blobsExisting   blobs that were already in the store
 */
public record PullResult(ImageReference reference, Descriptor root, List<PulledImage> images,
                         Map<Digest, Map<String, String>> labels, long bytesDownloaded,
                         int blobsFetched, int blobsExisting, Duration elapsed) {
}
