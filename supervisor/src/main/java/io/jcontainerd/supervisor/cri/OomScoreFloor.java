package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * containerd's {@code restrict_oom_score_adj}: when on, no container's (nor pause container's)
 * oom_score_adj is set below the daemon's own, since lowering one needs CAP_SYS_RESOURCE, which a
 * daemon in a container may lack (this machine's root does: a negative value cannot be written);
 * when off, what kubelet asks is used as it is (-1000 to 1000).
 *
 * @param floor the lowest value given: the daemon's own when restricted, else -1000
 */
record OomScoreFloor(int floor) {
    /** containerd's defaultSandboxOOMAdj: a pause container is the last the OOM killer picks. */
    static final int SANDBOX = -998;
    static final OomScoreFloor NONE = new OomScoreFloor(-1000);

    static OomScoreFloor of(boolean restrict) {
        return restrict ? new OomScoreFloor(own()) : NONE;
    }

    /** {@code wanted} within -1000..1000 and not below the floor. */
    int apply(long wanted) {
        return (int) Math.max(Math.min(Math.max(wanted, -1000), 1000), floor);
    }

    /** The daemon's own oom_score_adj (0 when it cannot be read). */
    private static int own() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
