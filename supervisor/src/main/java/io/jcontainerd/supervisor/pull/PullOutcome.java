package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.pull.PullResult;
import io.jcontainerd.supervisor.images.ImageRecord;

import java.time.Duration;
import java.util.List;

/**
 * What a server-side pull produced: the image record, the download summary and, when unpacking
 * was asked for, the snapshotter and each platform's committed stack.
 *
 * @param elapsed the whole pull: resolve, download, unpack and record
 */
public record PullOutcome(ImageRecord image, PullResult download, String snapshotter, List<UnpackedImage> unpacked,
                          Duration elapsed) {
    public PullOutcome {
        unpacked = List.copyOf(unpacked);
    }

    public boolean isUnpacked() {
        return !snapshotter.isEmpty();
    }
}
