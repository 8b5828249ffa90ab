package io.jcontainerd.runtime.init;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

/**
 * The first step of a spare init stage (started ahead of need, see container.SpareInit): its stdio
 * and the container's mount namespace arrive over the sync socket as four fds. The stdio replaces
 * its /dev/null and this thread, the one that goes on to exec, joins the mount namespace, which holds
 * the mounts made since the spare was born (the container's rootfs among them).
 */
final class SpareHandOver {
    private SpareHandOver() {}

    /** False when the runtime closed the socket without handing over: nobody needs this spare. */
    static boolean receive(FdChannel channel) {
        int[] fds = channel.receiveFds(4);
        if (fds == null) return false;
        LibC c = LibC.INSTANCE;
        for (int i = 0; i < 3; i++) {
            if (c.dup2(fds[i], i) < 0) throw JruncException.system("dup2 onto fd %d: errno %d", i, Native.getLastError());
            c.close(fds[i]);
        }
        // setns(CLONE_NEWNS) needs a thread that shares no fs_struct with the JVM's other threads
        if (c.unshare(LinuxConstants.CLONE_FS) < 0) throw JruncException.system("unshare(CLONE_FS): errno %d", Native.getLastError());
        if (c.setns(fds[3], LinuxConstants.CLONE_NEWNS) < 0) {
            throw JruncException.system("cannot join the container's mount namespace: errno %d", Native.getLastError());
        }
        c.close(fds[3]);
        return true;
    }
}
