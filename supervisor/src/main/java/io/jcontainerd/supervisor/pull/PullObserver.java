package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.pull.PullProgress;

/**
 * Hears how a server-side pull goes: download progress per blob (often, from many threads) and
 * the unpacking of each layer. Implementations must be thread-safe and cheap; throwing from
 * either method cancels the pull (that is how a client that went away stops it).
 */
public interface PullObserver {
    PullObserver NONE = new PullObserver() {
        @Override
        public void onProgress(PullProgress progress) {
        }

        @Override
        public void onUnpack(Descriptor layer, boolean finished) {
        }
    };

    void onProgress(PullProgress progress);

    /** Layer {@code layer} starts being applied ({@code finished} false), or is committed as a snapshot (true). */
    void onUnpack(Descriptor layer, boolean finished);
}
