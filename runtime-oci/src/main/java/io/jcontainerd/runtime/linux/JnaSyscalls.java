package io.jcontainerd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real system calls, through JNA. */
public class JnaSyscalls implements Syscalls {
    /**
     * libc on the first call, not when a JnaSyscalls is made: loading JNA costs ~10 ms, and commands
     * such as start build one (for hooks) that often never makes a call.
     */
    private static LibC c() { return LibC.INSTANCE; }

    private static void check(int rc, String call, String subject) {
        if (rc < 0) throw new SyscallException(call, subject, Native.getLastError());
    }

    private static void check(long rc, String call, String subject) {
        if (rc < 0) throw new SyscallException(call, subject, Native.getLastError());
    }

    @Override public void unshare(int flags) { check(c().unshare(flags), "unshare", "0x" + Integer.toHexString(flags)); }

    @Override public void setns(String nsPath, int nsType) {
        int fd = open(nsPath, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
        try {
            check(c().setns(fd, nsType), "setns", nsPath);
        } finally {
            c().close(fd);
        }
    }

    @Override public void setns(int nsFd, int nsType) { check(c().setns(nsFd, nsType), "setns", "fd " + nsFd); }

    @Override public void mount(String source, String target, String fsType, long flags, String data) {
        // the subject is built only on failure: String.format initialises Formatter and locale data (ms per JVM)
        if (c().mount(source, target, fsType, flags, data == null || data.isEmpty() ? null : data) < 0) {
            throw new SyscallException("mount", source + " on " + target + " (type " + fsType + ", flags 0x"
                    + Long.toHexString(flags) + ", data " + data + ")", Native.getLastError());
        }
    }

    @Override public void umount2(String target, int flags) { check(c().umount2(target, flags), "umount2", target); }

    @Override public void pivotRoot(String newRoot, String putOld) {
        Memory a = cstring(newRoot), b = cstring(putOld);
        check(c().syscall(LibC.SYS_PIVOT_ROOT, Pointer.nativeValue(a), Pointer.nativeValue(b), 0, 0, 0), "pivot_root", newRoot);
    }

    @Override public void chroot(String path) { check(c().chroot(path), "chroot", path); }
    @Override public void chdir(String path) { check(c().chdir(path), "chdir", path); }

    /**
     * lstat through libc: on a missing path NIO's readAttributes throws two exceptions through seven
     * interpreted frames, and the init stage asks about ~50 missing paths per container (~3 ms).
     */
    @Override public Kind kind(String path) {
        byte[] st = new byte[144];
        if (c().fstatat(-100 /* AT_FDCWD */, path, st, 0x100 /* AT_SYMLINK_NOFOLLOW */) < 0) return Kind.MISSING;
        int mode = (st[24] & 0xff) | (st[25] & 0xff) << 8 | (st[26] & 0xff) << 16 | (st[27] & 0xff) << 24;
        return switch (mode & 0170000) {
            case 0120000 -> Kind.SYMLINK;
            case 0040000 -> Kind.DIRECTORY;
            case 0100000 -> Kind.FILE;
            default -> Kind.OTHER;
        };
    }

    @Override public String readlink(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            throw new SyscallException("readlink", path, Errno.EINVAL);
        }
    }

    @Override public void mkdirs(String path, int mode) {
        try {
            Files.createDirectories(Path.of(path));
        } catch (FileAlreadyExistsException e) {
            throw new SyscallException("mkdir", path, Errno.ENOTDIR);
        } catch (IOException e) {
            throw new SyscallException("mkdir", path + " (" + e.getMessage() + ")", Errno.EINVAL);
        }
    }

    @Override public void createFile(String path, int mode) {
        int fd = c().open(path, LinuxConstants.O_WRONLY | 0100 /* O_CREAT */ | LinuxConstants.O_CLOEXEC, mode);
        check(fd, "create", path);
        c().close(fd);
    }

    @Override public void mknod(String path, int mode, long dev) { check(c().mknod(path, mode, dev), "mknod", path); }
    @Override public void chown(String path, long uid, long gid) { check(c().chown(path, (int) uid, (int) gid), "chown", path); }
    @Override public void chmod(String path, int mode) { check(c().chmod(path, mode), "chmod", path); }
    @Override public void symlink(String target, String link) { check(c().symlink(target, link), "symlink", link + " -> " + target); }

    @Override public void writeFile(String path, String content) {
        int fd = c().open(path, LinuxConstants.O_WRONLY | LinuxConstants.O_CLOEXEC, 0);
        check(fd, "open", path);
        try {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            check(c().write(fd, b, b.length), "write", path);
        } finally {
            c().close(fd);
        }
    }

    @Override public int open(String path, int flags) {
        int fd = c().open(path, flags, 0);
        check(fd, "open", path);
        return fd;
    }

    @Override public void close(int fd) { c().close(fd); }

    @Override public int openat2(int dirFd, String path, int flags, long resolve) {
        byte[] how = new byte[24]; // struct open_how { u64 flags; u64 mode; u64 resolve; }, little-endian
        putLong(how, 0, flags & 0xffffffffL);
        putLong(how, 16, resolve);
        byte[] p = LibC.cString(path);
        for (int attempt = 0; ; attempt++) {
            long fd = c().openat2(dirFd, p, how);
            if (fd >= 0) return (int) fd;
            int errno = Native.getLastError();
            // RESOLVE_IN_ROOT/BENEATH answer EAGAIN when a rename or mount raced a ".." step: look up again
            if ((errno != Errno.EAGAIN && errno != Errno.EINTR) || attempt == 1000) throw new SyscallException("openat2", path, errno);
        }
    }

    @Override public void mkdirat(int dirFd, String name, int mode) { check(c().mkdirat(dirFd, name, mode), "mkdirat", name); }
    @Override public void mknodat(int dirFd, String name, int mode, long dev) { check(c().mknodat(dirFd, name, mode, dev), "mknodat", name); }
    @Override public void symlinkat(String target, int dirFd, String name) { check(c().symlinkat(target, dirFd, name), "symlinkat", name + " -> " + target); }

    @Override public FileStat statAt(int dirFd, String name) {
        byte[] st = new byte[144];
        int flags = 0x100 /* AT_SYMLINK_NOFOLLOW */ | (name.isEmpty() ? 0x1000 /* AT_EMPTY_PATH */ : 0);
        if (c().fstatat(dirFd, name, st, flags) < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT) return null;
            throw new SyscallException("fstatat", name.isEmpty() ? "fd " + dirFd : name, errno);
        }
        int mode = (st[24] & 0xff) | (st[25] & 0xff) << 8 | (st[26] & 0xff) << 16 | (st[27] & 0xff) << 24;
        long rdev = 0;
        for (int i = 7; i >= 0; i--) rdev = rdev << 8 | (st[40 + i] & 0xff);
        return new FileStat(mode, rdev);
    }

    @Override public void sethostname(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        check(c().sethostname(b, b.length), "sethostname", name);
    }

    @Override public void setdomainname(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        check(c().setdomainname(b, b.length), "setdomainname", name);
    }

    @Override public void setrlimit(int resource, long soft, long hard) {
        Memory m = new Memory(16);
        m.setLong(0, soft);
        m.setLong(8, hard);
        check(c().prlimit(0, resource, m, null), "setrlimit", "resource " + resource);
    }

    @Override public void umask(int mask) { c().umask(mask); }

    @Override public void setgroups(List<Long> gids) {
        Memory m = new Memory(Math.max(4, 4L * gids.size()));
        for (int i = 0; i < gids.size(); i++) m.setInt(4L * i, gids.get(i).intValue());
        check(c().syscall(LibC.SYS_SETGROUPS, gids.size(), Pointer.nativeValue(m), 0, 0, 0), "setgroups", gids.toString());
    }

    @Override public void setresgid(long gid) { check(c().syscall(LibC.SYS_SETRESGID, gid, gid, gid, 0, 0), "setresgid", Long.toString(gid)); }
    @Override public void setresuid(long uid) { check(c().syscall(LibC.SYS_SETRESUID, uid, uid, uid, 0, 0), "setresuid", Long.toString(uid)); }

    @Override public void prctl(int option, long arg2, long arg3) {
        check(c().prctl(option, arg2, arg3, 0, 0), "prctl", option + " " + arg2);
    }

    @Override public void capset(long effective, long permitted, long inheritable) {
        Memory hdr = new Memory(8);
        hdr.setInt(0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3
        hdr.setInt(4, 0);
        Memory data = new Memory(24);
        long[] sets = {effective, permitted, inheritable};
        for (int half = 0; half < 2; half++) {
            for (int s = 0; s < 3; s++) data.setInt(half * 12L + s * 4L, (int) (sets[s] >>> (32 * half)));
        }
        if (c().syscall(LibC.SYS_CAPSET, Pointer.nativeValue(hdr), Pointer.nativeValue(data), 0, 0, 0) < 0) {
            throw new SyscallException("capset", "effective 0x" + Long.toHexString(effective) + " permitted 0x"
                    + Long.toHexString(permitted), Native.getLastError());
        }
    }

    @Override public void seccomp(byte[] filter) {
        Memory prog = new Memory(filter.length);
        prog.write(0, filter, 0, filter.length);
        Memory fprog = new Memory(16);
        fprog.setShort(0, (short) (filter.length / 8));
        fprog.setPointer(8, prog);
        check(c().syscall(LibC.SYS_SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, 0, Pointer.nativeValue(fprog), 0, 0), "seccomp", filter.length / 8 + " instructions");
    }

    @Override public void closeFromCloexec(int fromFd) {
        // CLOSE_RANGE_CLOEXEC (4): nothing of ours survives the execve, while the fds stay usable until then.
        check(c().syscall(LibC.SYS_CLOSE_RANGE, fromFd, 0xFFFFFFFFL, 4, 0, 0), "close_range", "from " + fromFd);
    }

    @Override public void cloexecListedFds(int fromFd) {
        java.util.List<Integer> fds = new java.util.ArrayList<>();
        try (var dir = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd"))) {
            for (var p : dir) fds.add(Integer.parseInt(p.getFileName().toString()));
        } catch (java.io.IOException e) {
            throw new SyscallException("opendir", "/proc/self/fd: " + e.getMessage(), Errno.EACCES);
        }
        for (int fd : fds) {
            if (fd < fromFd) continue;
            int flags = c().fcntl(fd, 1 /* F_GETFD */, 0);
            if (flags >= 0) check(c().fcntl(fd, 2 /* F_SETFD */, flags | 1 /* FD_CLOEXEC */), "fcntl(F_SETFD)", "fd " + fd);
            // < 0: the directory stream's own fd, closed by now
        }
    }

    @Override public void resetSignals() {
        Memory empty = new Memory(128);
        empty.clear();
        Memory old = new Memory(256);
        for (int sig = 1; sig <= 64; sig++) {
            if (sig == 9 || sig == 19 || sig == 32 || sig == 33) continue;
            old.clear();
            // Only ignored signals survive execve; put them back to default. Handlers reset by themselves.
            if (c().sigaction(sig, null, old) == 0 && old.getLong(0) == 1L) c().signal(sig, Pointer.NULL);
        }
        c().sigprocmask(2 /* SIG_SETMASK */, empty, null);
    }

    @Override public int connectUnix(String socketPath) {
        int fd = c().socket(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | LinuxConstants.O_CLOEXEC, 0);
        check(fd, "socket", socketPath);
        byte[] p = socketPath.getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) throw new SyscallException("connect", socketPath + " (path longer than 107 bytes)", Errno.EINVAL);
        Memory addr = new Memory(110);
        addr.clear();
        addr.setShort(0, (short) 1);
        addr.write(2, p, 0, p.length);
        check(c().connect(fd, addr, 2 + p.length + 1), "connect", socketPath);
        return fd;
    }

    @Override public int[] openPty() {
        int master = open("/dev/ptmx", LinuxConstants.O_RDWR | LinuxConstants.O_NOCTTY | LinuxConstants.O_CLOEXEC);
        Memory n = new Memory(4);
        n.setInt(0, 0);
        check(c().ioctl(master, 0x40045431L /* TIOCSPTLCK */, n), "ioctl TIOCSPTLCK", "/dev/ptmx");
        check(c().ioctl(master, 0x80045430L /* TIOCGPTN */, n), "ioctl TIOCGPTN", "/dev/ptmx");
        int slave = open("/dev/pts/" + n.getInt(0), LinuxConstants.O_RDWR | LinuxConstants.O_NOCTTY);
        return new int[] {master, slave};
    }

    @Override public void setWindowSize(int fd, int rows, int columns) {
        Memory winsize = new Memory(8);     // struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel (unsigned short)
        winsize.clear();
        winsize.setShort(0, (short) rows);
        winsize.setShort(2, (short) columns);
        check(c().ioctl(fd, 0x5414L /* TIOCSWINSZ */, winsize), "ioctl TIOCSWINSZ", "pty " + rows + "x" + columns);
    }

    @Override public void sendFd(int socket, int fd, String name) {
        byte[] payload = name.getBytes(StandardCharsets.UTF_8);
        Memory data = new Memory(payload.length);
        data.write(0, payload, 0, payload.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, data);
        iov.setLong(8, payload.length);
        Memory control = new Memory(24);
        control.clear();
        control.setLong(0, 20);     // CMSG_LEN(sizeof(int))
        control.setInt(8, 1);       // SOL_SOCKET
        control.setInt(12, 1);      // SCM_RIGHTS
        control.setInt(16, fd);
        Memory msg = new Memory(56);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, 24);        // CMSG_SPACE(sizeof(int))
        check(c().sendmsg(socket, msg, 0), "sendmsg", "console socket");
    }

    @Override public void becomeTerminalSession(int slaveFd) {
        c().setsid();
        check(c().ioctl(slaveFd, 0x540EL /* TIOCSCTTY */, null), "ioctl TIOCSCTTY", "pty");
        for (int fd = 0; fd <= 2; fd++) check(c().dup2(slaveFd, fd), "dup2", "pty onto fd " + fd);
        if (slaveFd > 2) c().close(slaveFd);
    }

    @Override public void execve(String path, List<String> argv, List<String> env) {
        c().execve(path, argv.toArray(new String[0]), env.toArray(new String[0]));
        throw new SyscallException("execve", path, Native.getLastError());
    }

    @Override public int getpid() { return c().getpid(); }

    @Override public int memfd(String name, byte[] content) {
        Memory n = cstring(name);
        int fd = (int) c().syscall(LibC.SYS_MEMFD_CREATE, Pointer.nativeValue(n), 1 /* MFD_CLOEXEC */, 0, 0, 0);
        check(fd, "memfd_create", name);
        for (int off = 0; off < content.length; ) {
            byte[] rest = off == 0 ? content : java.util.Arrays.copyOfRange(content, off, content.length);
            long w = c().write(fd, rest, rest.length);
            if (w < 0) {
                int errno = Native.getLastError();
                c().close(fd);
                throw new SyscallException("write", name, errno);
            }
            off += (int) w;
        }
        check(c().lseek(fd, 0, 0 /* SEEK_SET */), "lseek", name);
        return fd;
    }

    /**
     * The buffer starts small and doubles as the file fills it: JNA copies an array argument whole into native
     * memory and back, so a buffer of {@code max} (1 MB for the init's /etc/passwd) cost 3-11 ms per read.
     */
    @Override public byte[] readFrom(int fd, int max) {
        byte[] buf = new byte[Math.min(max, 16 * 1024)];
        int off = 0;
        while (off < max) {
            if (off == buf.length) buf = java.util.Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
            byte[] chunk = new byte[buf.length - off];
            long n = c().pread(fd, chunk, chunk.length, off);
            check(n, "pread", "fd " + fd);
            if (n == 0) break;
            System.arraycopy(chunk, 0, buf, off, (int) n);
            off += (int) n;
        }
        return java.util.Arrays.copyOf(buf, off);
    }

    @Override public void write(int fd, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        check(c().write(fd, b, b.length), "write", "fd " + fd);
    }

    @Override public int spawn(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr) {
        return PosixSpawn.spawn(path, argv, env, new int[] {stdin, stdout, stderr});
    }

    @Override public int waitpid(int pid, long timeoutMillis) {
        int[] status = new int[1];
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        long pause = 1;
        while (true) {
            int rc = c().waitpid(pid, status, timeoutMillis < 0 ? 0 : 1 /* WNOHANG */);
            if (rc == pid) {
                int signal = status[0] & 0x7f;
                return signal == 0 ? (status[0] >> 8) & 0xff : 128 + signal;
            }
            if (rc < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINTR) continue;
                throw new SyscallException("waitpid", Integer.toString(pid), errno);
            }
            if (System.nanoTime() - deadline >= 0) return -1;
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            pause = Math.min(pause * 2, 20);
        }
    }

    @Override public void kill(int pid, int signal) { check(c().kill(pid, signal), "kill", pid + " signal " + signal); }

    @Override public int bpfLoadDeviceProgram(byte[] instructions, String license) { return Bpf.loadDeviceProgram(instructions, license); }
    @Override public void bpfAttachDeviceProgram(int cgroupFd, int programFd) { Bpf.attach(cgroupFd, programFd, true); }
    @Override public void bpfDetachDeviceProgram(int cgroupFd, int programFd) { Bpf.attach(cgroupFd, programFd, false); }
    @Override public List<Integer> bpfDevicePrograms(int cgroupFd) { return Bpf.query(cgroupFd); }
    @Override public int bpfProgram(int id) { return Bpf.programById(id); }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    static Memory cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }
}
