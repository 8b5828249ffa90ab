package io.jcontainerd.snapshot.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@link Syscalls} through JNA direct mapping (the cheapest JNA call path: no proxy, no reflection). */
final class LinuxSyscalls implements Syscalls {
    static final LinuxSyscalls INSTANCE = new LinuxSyscalls();

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_PATH = 010000000;
    private static final int STATX_INO = 0x100;
    private static final int STATX_BLOCKS = 0x400;

    /** The libc entry points; a nested class so their names may equal the interface's. */
    private static final class LibC {
        static {
            Native.register(LibC.class, NativeLibrary.getInstance("c"));
        }

        static native int mount(String source, String target, String fsType, long flags, String data) throws LastErrorException;

        static native int umount2(String target, int flags) throws LastErrorException;

        static native int mknod(String path, int mode, long dev) throws LastErrorException;

        static native int lchown(String path, int uid, int gid) throws LastErrorException;

        static native int chmod(String path, int mode) throws LastErrorException;

        static native int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

        static native int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        static native long llistxattr(String path, byte[] list, long size) throws LastErrorException;

        static native long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

        static native int statx(int dirfd, String path, int flags, int mask, byte[] buf) throws LastErrorException;

        static native int geteuid();

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native long syscall(long number, long a, long b, long c, long d, long e) throws LastErrorException;

        static native Pointer strerror(int errno);
    }

    static String strerror(int errno) {
        try {
            return LibC.strerror(errno).getString(0);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "errno " + errno;
        }
    }

    private LinuxSyscalls() {
    }

    private static UncheckedIOException fail(String call, String subject, LastErrorException e) {
        return new UncheckedIOException(new ErrnoException(call, subject, e.getErrorCode()));
    }

    @Override
    public void mount(String source, String target, String fsType, long flags, String data) {
        try {
            LibC.mount(source, target, fsType, flags, data);
        } catch (LastErrorException e) {
            throw fail("mount", source + " on " + target + " (type " + fsType + ", data " + data + ")", e);
        }
    }

    @Override
    public void umount(String target, int flags) {
        try {
            LibC.umount2(target, flags);
        } catch (LastErrorException e) {
            throw fail("umount", target, e);
        }
    }

    @Override
    public void mknod(String path, int mode, long device) {
        try {
            LibC.mknod(path, mode, device);
        } catch (LastErrorException e) {
            throw fail("mknod", path, e);
        }
    }

    @Override
    public void lchown(String path, int uid, int gid) {
        try {
            LibC.lchown(path, uid, gid);
        } catch (LastErrorException e) {
            throw fail("lchown", path, e);
        }
    }

    @Override
    public void chmod(String path, int mode) {
        try {
            LibC.chmod(path, mode & 07777);
        } catch (LastErrorException e) {
            throw fail("chmod", path, e);
        }
    }

    @Override
    public void utimesNoFollow(String path, long atimeSeconds, long atimeNanos, long mtimeSeconds, long mtimeNanos) {
        try {
            LibC.utimensat(AT_FDCWD, path, new long[] {atimeSeconds, atimeNanos, mtimeSeconds, mtimeNanos}, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw fail("utimensat", path, e);
        }
    }

    @Override
    public void lsetxattr(String path, String name, byte[] value) {
        try {
            LibC.lsetxattr(path, name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw fail("lsetxattr " + name, path, e);
        }
    }

    @Override
    public List<String> llistxattr(String path) {
        try {
            long size = LibC.llistxattr(path, null, 0);
            if (size <= 0) {
                return List.of();
            }
            byte[] buf = new byte[(int) size];
            long n = LibC.llistxattr(path, buf, buf.length);
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    if (i > start) {
                        names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return names;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ErrnoException.EOPNOTSUPP) {
                return List.of();
            }
            throw fail("llistxattr", path, e);
        }
    }

    @Override
    public byte[] lgetxattr(String path, String name) {
        try {
            long size = LibC.lgetxattr(path, name, null, 0);
            byte[] buf = new byte[(int) size];
            long n = LibC.lgetxattr(path, name, buf, buf.length);
            return n == size ? buf : java.util.Arrays.copyOf(buf, (int) n);
        } catch (LastErrorException e) {
            throw fail("lgetxattr " + name, path, e);
        }
    }

    @Override
    public long[] blocksAndInode(String path) {
        // struct statx has the same layout on every architecture, unlike struct stat
        byte[] buf = new byte[256];
        try {
            LibC.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BLOCKS, buf);
        } catch (LastErrorException e) {
            throw fail("statx", path, e);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder());
        return new long[] {b.getLong(48) * 512, b.getLong(32)};
    }

    @Override
    public int openDirectoryPath(String path) {
        try {
            return LibC.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("open", path, e);
        }
    }

    @Override
    public void close(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw fail("close", "fd " + fd, e);
        }
    }

    private static final long SYS_OPENAT2 = 437; // the same number on x86_64 and arm64
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    @Override
    public int openat2(int dirFd, String path, int flags, long resolve) {
        try (com.sun.jna.Memory how = new com.sun.jna.Memory(24); // struct open_how { u64 flags; u64 mode; u64 resolve; }
             com.sun.jna.Memory name = new com.sun.jna.Memory(path.getBytes(StandardCharsets.UTF_8).length + 1L)) {
            how.setLong(0, flags & 0xffffffffL);
            how.setLong(8, 0);
            how.setLong(16, resolve);
            name.setString(0, path, StandardCharsets.UTF_8.name());
            for (int attempt = 0; ; attempt++) {
                int errno;
                try {
                    return (int) LibC.syscall(SYS_OPENAT2, dirFd, Pointer.nativeValue(name), Pointer.nativeValue(how), 24, 0);
                } catch (LastErrorException e) {
                    errno = e.getErrorCode();
                }
                // RESOLVE_IN_ROOT/BENEATH answer EAGAIN when a rename or mount raced a ".." step: look up again
                if ((errno != EAGAIN && errno != EINTR) || attempt == 1000) {
                    throw new UncheckedIOException(new ErrnoException("openat2", path, errno));
                }
            }
        }
    }

    @Override
    public int effectiveUid() {
        return LibC.geteuid();
    }
}
