package io.jcontainerd.network.netns;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link NsSyscalls} through glibc (JNA {@link Function}s, as runtime-oci's LibC does). unshare
 * runs on a platform thread of its own that ends right after the bind mount, so no JVM thread is
 * ever left in the new namespace.
 */
public final class JnaNsSyscalls implements NsSyscalls {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final long MS_BIND = 4096, MS_REC = 16384, MS_SHARED = 1 << 20;
    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, IFF_UP = 1;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;

    private static NativeLibrary libc() {
        return NativeLibrary.getInstance("libc.so.6");
    }

    private static int call(String name, Object... args) {
        return libc().getFunction(name).invokeInt(args);
    }

    @Override
    public void createPinnedNetns(Path target) {
        AtomicReference<JcdException> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-create").unstarted(() -> {
            if (call("unshare", CLONE_NEWNET) != 0) {
                failure.set(error("unshare(CLONE_NEWNET)", "for " + target, Native.getLastError()));
                return;
            }
            // lo up from inside, as the loopback plugin does, without a plugin process (~10-20 ms)
            JcdException lo = loopbackUp();
            if (lo != null) {
                failure.set(lo);
                return;
            }
            // this thread's own namespace; the thread ends right after, the bind mount keeps the namespace
            if (call("mount", "/proc/thread-self/ns/net", target.toString(), "none", MS_BIND, null) != 0) {
                failure.set(error("mount --bind /proc/thread-self/ns/net", target.toString(), Native.getLastError()));
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while creating network namespace " + target, e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** SIOCGIFFLAGS / SIOCSIFFLAGS on "lo" of the calling thread's network namespace; null when done. */
    private static JcdException loopbackUp() {
        int fd = call("socket", AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return error("socket(AF_INET)", "for loopback", Native.getLastError());
        }
        try {
            Memory ifreq = new Memory(40);
            ifreq.clear();
            ifreq.setString(0, "lo");
            if (libc().getFunction("ioctl").invokeInt(new Object[] {fd, SIOCGIFFLAGS, ifreq}) != 0) {
                return error("ioctl(SIOCGIFFLAGS)", "lo", Native.getLastError());
            }
            ifreq.setShort(16, (short) (ifreq.getShort(16) | IFF_UP));
            if (libc().getFunction("ioctl").invokeInt(new Object[] {fd, SIOCSIFFLAGS, ifreq}) != 0) {
                return error("ioctl(SIOCSIFFLAGS)", "lo up", Native.getLastError());
            }
            return null;
        } finally {
            call("close", fd);
        }
    }

    @Override
    public void makeSharedMountPoint(Path dir) {
        if (call("mount", "", dir.toString(), "none", MS_SHARED | MS_REC, null) == 0) {
            return;
        }
        int errno = Native.getLastError();
        if (errno != EINVAL) {
            throw error("mount --make-rshared", dir.toString(), errno);
        }
        if (call("mount", dir.toString(), dir.toString(), "none", MS_BIND | MS_REC, null) != 0) {
            throw error("mount --rbind", dir + " on itself", Native.getLastError());
        }
        if (call("mount", "", dir.toString(), "none", MS_SHARED | MS_REC, null) != 0) {
            throw error("mount --make-rshared", dir.toString(), Native.getLastError());
        }
    }

    @Override
    public boolean detach(Path path) {
        if (call("umount2", path.toString(), MNT_DETACH) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == EINVAL || errno == 2 /* ENOENT */) {
            return false;
        }
        throw error("umount2(MNT_DETACH)", path.toString(), errno);
    }

    private static JcdException error(String call, String subject, int errno) {
        String what = String.format("%s %s failed: errno %d", call, subject, errno);
        return switch (errno) {
            case 1, 13 -> JcdException.failedPrecondition("%s (permission denied: network namespaces need root)", what);
            case 2 -> JcdException.notFound("%s", what);
            default -> JcdException.unavailable("%s", what);
        };
    }
}
