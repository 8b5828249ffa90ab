package io.jcontainerd.supervisor.cri;

/**
 * What the CRI keeps about a container beside its config (a container extension, JSON): times in
 * nanoseconds since the epoch (0: not yet), the exit once its task is gone.
 *
 * @param imageId  the image's id (config digest), the CRI's image_ref
 * @param logPath  the log file on the host (empty: output discarded)
 */
record CriContainerState(String sandboxId, String imageId, String imageName, String logPath, long createdAt, long startedAt,
                      long finishedAt, int exitCode, String reason) {
    CriContainerState started(long at) {
        return new CriContainerState(sandboxId, imageId, imageName, logPath, createdAt, at, 0, 0, "");
    }

    CriContainerState finished(long at, int code, String why) {
        return new CriContainerState(sandboxId, imageId, imageName, logPath, createdAt, startedAt, at, code, why);
    }
}
