package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.pull.PlatformSelection;

/**
 * What a client asked to pull.
 *
 * @param reference              the image reference as given (normalised by the pull)
 * @param platforms              which manifests of an index to fetch
 * @param unpack                 unpack into a snapshotter while downloading
 * @param snapshotter            the snapshotter to unpack into; empty = the namespace's default, else the daemon's
 * @param maxConcurrentDownloads 0 = the daemon's configured limit
 */
public record PullSpec(String reference, PlatformSelection platforms, boolean unpack, String snapshotter,
                       int maxConcurrentDownloads) {
    public PullSpec {
        snapshotter = snapshotter == null ? "" : snapshotter;
    }
}
