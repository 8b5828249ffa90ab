package io.jcontainerd.snapshot.linux;

import java.util.List;

/**
 * Every system call the snapshotter makes that plain NIO cannot express. Paths are absolute
 * strings; none of these follows a symlink in the last component unless its name says so.
 * Failures are {@link ErrnoException}s carrying errno and the path.
 */
public interface Syscalls {

    int MS_RDONLY = 1;
    int MS_NOSUID = 2;
    int MS_NODEV = 4;
    int MS_NOEXEC = 8;
    int MS_REMOUNT = 32;
    int MS_NOATIME = 1024;
    int MS_NODIRATIME = 2048;
    int MS_BIND = 4096;
    int MS_REC = 16384;
    int MS_PRIVATE = 1 << 18;
    int MS_RELATIME = 1 << 21;
    int MNT_DETACH = 2;

    int S_IFIFO = 0010000;
    int S_IFCHR = 0020000;
    int S_IFBLK = 0060000;
    int S_IFSOCK = 0140000;

    /** The process-wide implementation backed by libc. */
    static Syscalls linux() {
        return LinuxSyscalls.INSTANCE;
    }

    void mount(String source, String target, String fsType, long flags, String data);

    void umount(String target, int flags);

    void mknod(String path, int mode, long device);

    void lchown(String path, int uid, int gid);

    /** chmod of the full 12 permission bits (setuid, setgid, sticky included). */
    void chmod(String path, int mode);

    /** Sets atime and mtime without following a symlink in the last component. */
    void utimesNoFollow(String path, long atimeSeconds, long atimeNanos, long mtimeSeconds, long mtimeNanos);

    void lsetxattr(String path, String name, byte[] value);

    /** The xattr names of path (not following a symlink), empty when the filesystem has none. */
    List<String> llistxattr(String path);

    byte[] lgetxattr(String path, String name);

    /** st_blocks * 512 and st_ino of path, not following a symlink: what du counts. */
    long[] blocksAndInode(String path);

    int effectiveUid();

    /** An O_PATH descriptor of a directory (close it with {@link #close(int)}). */
    int openDirectoryPath(String path);

    void close(int fd);

    /** openat2(2)'s {@code RESOLVE_*} flags: what a lookup may cross. */
    long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    int O_PATH = 010000000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;

    /**
     * openat2(2): {@code path} looked up from {@code dirFd} under the {@code RESOLVE_*} flags
     * ({@code RESOLVE_IN_ROOT}: dirFd is "/" for every symlink and "..", whatever is swapped in
     * meanwhile; the lookup is retried while the kernel answers EAGAIN for a racing rename).
     * Failures are ErrnoExceptions (ENOENT, ENOTDIR, ELOOP, ENOSYS before Linux 5.6).
     */
    int openat2(int dirFd, String path, int flags, long resolve);

    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }
}
