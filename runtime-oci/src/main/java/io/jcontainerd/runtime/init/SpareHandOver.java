package io.jcontainerd.runtime.init;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;

/**
 * The first step of a spare init stage (started ahead of need, see container.SpareInit): its stdio
 * arrives over the sync socket as three fds and replaces its /dev/null; up to three more, when the create
 * that took it keeps the host's network, uts or ipc namespace or joins one by path, are those namespaces,
 * opened by the runtime: the spare moves into them ({@link NamespaceJoin}) before it reads its plan, so
 * before anything observes it. The container's
 * mount namespace comes later with the plan, as for any init stage ({@link PlanFds}).
 */
final class SpareHandOver {
    private SpareHandOver() {}

    /** False when the runtime closed the socket without handing over: nobody needs this spare. */
    static boolean receive(FdChannel channel) {
        int[] fds = channel.receiveFds(3, 6);
        if (fds == null) return false;
        LibC c = LibC.INSTANCE;
        for (int i = 0; i < 3; i++) {
            if (c.dup2(fds[i], i) < 0) throw JruncException.system("dup2 onto fd %d: errno %d", i, Native.getLastError());
            c.close(fds[i]);
        }
        if (fds.length > 3) {
            int[] namespaces = java.util.Arrays.copyOfRange(fds, 3, fds.length);
            try {
                NamespaceJoin.join(namespaces);
            } finally {
                for (int fd : namespaces) c.close(fd);
            }
        }
        return true;
    }
}
