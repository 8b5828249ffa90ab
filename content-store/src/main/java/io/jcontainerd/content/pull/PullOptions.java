package io.jcontainerd.content.pull;

/**
 * How to pull: which platforms, how many blobs at once, who hears about progress.
 * Build with {@code PullOptions.defaults().withPlatforms(...).withConcurrency(8)}.
 */
public record PullOptions(PlatformSelection platforms, int maxConcurrentDownloads,
                          PullListener listener, LayerListener layerListener) {

    /** containerd's default is 3; registries on loopback and fast links profit from a few more. */
    public static final int DEFAULT_CONCURRENCY = 6;

    public PullOptions {
        if (maxConcurrentDownloads < 1) {
            throw io.jcontainerd.config.errdefs.JcdException.invalidArgument(
                    "max concurrent downloads must be at least 1, got %d", maxConcurrentDownloads);
        }
    }

    public static PullOptions defaults() {
        return new PullOptions(PlatformSelection.host(), DEFAULT_CONCURRENCY, PullListener.NONE, LayerListener.NONE);
    }

    public PullOptions withPlatforms(PlatformSelection p) {
        return new PullOptions(p, maxConcurrentDownloads, listener, layerListener);
    }

    public PullOptions withConcurrency(int n) {
        return new PullOptions(platforms, n, listener, layerListener);
    }

    public PullOptions withListener(PullListener l) {
        return new PullOptions(platforms, maxConcurrentDownloads, l, layerListener);
    }

    public PullOptions withLayerListener(LayerListener l) {
        return new PullOptions(platforms, maxConcurrentDownloads, listener, l);
    }
}
