package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.pull.PullResult;
import io.jcontainerd.supervisor.images.ImageRecord;

import java.util.List;

/**
 * What a server-side pull produced: the image record, the download summary and, when unpacking
 * was asked for, the snapshotter and each platform's committed stack.
 */
public record PullOutcome(ImageRecord image, PullResult download, String snapshotter, List<UnpackedImage> unpacked) {
    public PullOutcome {
        unpacked = List.copyOf(unpacked);
    }

    public boolean isUnpacked() {
        return !snapshotter.isEmpty();
    }
}
