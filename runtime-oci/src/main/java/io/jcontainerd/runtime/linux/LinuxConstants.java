package io.jcontainerd.runtime.linux;

/** Linux x86_64 ABI constants used by jrunc. */
public final class LinuxConstants {
    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;
    public static final int MNT_DETACH = 2;
    public static final int AT_FDCWD = -100;
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800,
            O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public static final int PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24,
            PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;
    public static final int SIGKILL = 9, SIGTERM = 15;

    private LinuxConstants() {}

    public static int namespaceFlag(String type) {
        return switch (type) {
            case "mount" -> CLONE_NEWNS;
            case "uts" -> CLONE_NEWUTS;
            case "ipc" -> CLONE_NEWIPC;
            case "pid" -> CLONE_NEWPID;
            case "network" -> CLONE_NEWNET;
            case "cgroup" -> CLONE_NEWCGROUP;
            case "user" -> CLONE_NEWUSER;
            default -> throw new IllegalArgumentException("unknown namespace type " + type);
        };
    }

    /** The name of the namespace under /proc/PID/ns. */
    public static String procNsName(String type) {
        return switch (type) {
            case "mount" -> "mnt";
            case "network" -> "net";
            default -> type;
        };
    }

    public static long makedev(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
