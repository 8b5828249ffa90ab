package io.jcontainerd.runtime.init;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;

/**
 * The first step of a spare init stage (started ahead of need, see container.SpareInit): its stdio
 * arrives over the sync socket as three fds and replaces its /dev/null; a fourth, when the create that
 * took it runs in another network namespace than the one the spare was born in (the host's, or one
 * joined by path), is that namespace, opened by the runtime: the spare moves into it
 * ({@link NetNamespaceJoin}) before it reads its plan, so before anything observes it. The container's
 * mount namespace comes later with the plan, as for any init stage ({@link PlanFds}).
 */
final class SpareHandOver {
    private SpareHandOver() {}

    /** False when the runtime closed the socket without handing over: nobody needs this spare. */
    static boolean receive(FdChannel channel) {
        int[] fds = channel.receiveFds(3, 4);
        if (fds == null) return false;
        LibC c = LibC.INSTANCE;
        for (int i = 0; i < 3; i++) {
            if (c.dup2(fds[i], i) < 0) throw JruncException.system("dup2 onto fd %d: errno %d", i, Native.getLastError());
            c.close(fds[i]);
        }
        if (fds.length == 4) {
            try {
                NetNamespaceJoin.join(fds[3]);
            } finally {
                c.close(fds[3]);
            }
        }
        return true;
    }
}
