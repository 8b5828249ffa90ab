package io.jcontainerd.shim.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** {@link ShimSyscalls} through JNA direct mapping (no proxies, no reflection per call). */
final class LinuxShimSyscalls implements ShimSyscalls {
    static final LinuxShimSyscalls INSTANCE = new LinuxShimSyscalls();

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final long TIOCSWINSZ = 0x5414;
    private static final int MFD_CLOEXEC = 1;
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = O_NONBLOCK;
    private static final int SOCK_CLOEXEC = O_CLOEXEC;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SOCKADDR_UN_SIZE = 110;
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64/aarch64. */
    private static final int SPAWN_STRUCT_BYTES = 512;
    private static final int SIGSET_BYTES = 128;
    private static final int P_ALL = 0;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    /** siginfo_t is 128 bytes; si_pid follows si_signo, si_errno, si_code and 4 bytes of padding on 64-bit. */
    private static final int SIGINFO_BYTES = 128;
    private static final int SIGINFO_PID_OFFSET = 16;

    /** The libc entry points; a nested class so their names may equal the interface's. */
    private static final class LibC {
        static {
            Native.register(LibC.class, NativeLibrary.getInstance("c"));
        }

        static native int getpid();

        static native int setsid() throws LastErrorException;

        static native int getsid(int pid) throws LastErrorException;

        static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

        static native int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

        static native int posix_spawn_file_actions_init(Pointer actions);

        static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        static native int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        static native int posix_spawn_file_actions_destroy(Pointer actions);

        static native int posix_spawnattr_init(Pointer attr);

        static native int posix_spawnattr_setflags(Pointer attr, short flags);

        static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

        static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

        static native int posix_spawnattr_destroy(Pointer attr);

        static native int sigemptyset(Pointer set);

        static native int sigfillset(Pointer set);

        static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

        static native int waitid(int idType, int id, byte[] info, int options) throws LastErrorException;

        static native int kill(int pid, int signal) throws LastErrorException;

        static native int open(String path, int flags, int mode) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int pipe2(int[] fds, int flags) throws LastErrorException;

        static native int memfd_create(String name, int flags) throws LastErrorException;

        static native long read(int fd, byte[] buffer, long count) throws LastErrorException;

        static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int bind(int fd, Pointer address, int length) throws LastErrorException;

        static native int listen(int fd, int backlog) throws LastErrorException;

        static native int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

        static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

        static native int mount(String source, String target, String type, long flags, String data) throws LastErrorException;

        static native int umount2(String target, int flags) throws LastErrorException;

        static native Pointer strerror(int errno);
    }

    static String strerror(int errno) {
        try {
            return LibC.strerror(errno).getString(0);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "errno " + errno;
        }
    }

    private LinuxShimSyscalls() {
    }

    private static SyscallException fail(String call, Object subject, LastErrorException e) {
        return new SyscallException(call, String.valueOf(subject), e.getErrorCode());
    }

    @Override
    public int getpid() {
        return LibC.getpid();
    }

    @Override
    public void setsid() {
        try {
            LibC.setsid();
        } catch (LastErrorException e) {
            throw fail("setsid", "", e);
        }
    }

    @Override
    public int getsid() {
        try {
            return LibC.getsid(0);
        } catch (LastErrorException e) {
            throw fail("getsid", 0, e);
        }
    }

    @Override
    public void becomeSubreaper() {
        try {
            LibC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        } catch (LastErrorException e) {
            throw fail("prctl", "PR_SET_CHILD_SUBREAPER", e);
        }
    }

    @Override
    public int spawn(List<String> argv, Map<String, String> env, int[] stdio) {
        Memory actions = new Memory(SPAWN_STRUCT_BYTES);
        Memory attr = new Memory(SPAWN_STRUCT_BYTES);
        Memory empty = new Memory(SIGSET_BYTES);
        Memory all = new Memory(SIGSET_BYTES);
        LibC.posix_spawn_file_actions_init(actions);
        LibC.posix_spawnattr_init(attr);
        try {
            for (int i = 0; i < 3; i++) {
                LibC.posix_spawn_file_actions_adddup2(actions, stdio[i], i);
            }
            // The JVM's own descriptors (jars, sockets, other containers' FIFOs) must not leak.
            LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3);
            // A JVM thread's mask and handlers are no business of the child.
            LibC.sigemptyset(empty);
            LibC.sigfillset(all);
            LibC.posix_spawnattr_setsigmask(attr, empty);
            LibC.posix_spawnattr_setsigdefault(attr, all);
            LibC.posix_spawnattr_setflags(attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
            String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            int[] pid = new int[1];
            int rc = LibC.posix_spawn(pid, argv.getFirst(), actions, attr,
                    new StringArray(argv.toArray(String[]::new)), new StringArray(envp));
            if (rc != 0) {
                throw new SyscallException("posix_spawn", argv.getFirst(), rc);
            }
            return pid[0];
        } finally {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
        }
    }

    @Override
    public int awaitExitedChild() {
        byte[] info = new byte[SIGINFO_BYTES];
        while (true) {
            try {
                LibC.waitid(P_ALL, 0, info, WEXITED | WNOWAIT);
                return ByteBuffer.wrap(info).order(ByteOrder.nativeOrder()).getInt(SIGINFO_PID_OFFSET);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ECHILD) {
                    return 0;
                }
                if (e.getErrorCode() != EINTR) {
                    throw fail("waitid", "P_ALL, WEXITED | WNOWAIT", e);
                }
            }
        }
    }

    @Override
    public int reapChild(int pid) {
        int[] status = new int[1];
        while (true) {
            try {
                int reaped = LibC.waitpid(pid, status, WNOHANG);
                if (reaped != pid) {
                    // waitid reported the child as exited, so WNOHANG cannot find it still running.
                    throw new IllegalStateException("waitpid(" + pid + ", WNOHANG) returned " + reaped
                            + " for a child waitid reported as exited");
                }
                return status[0];
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw fail("waitpid", pid + ", WNOHANG", e);
                }
            }
        }
    }

    @Override
    public boolean exists(int pid) {
        try {
            LibC.kill(pid, 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return false;
            }
            if (e.getErrorCode() == EPERM) {
                return true;
            }
            throw fail("kill", pid + ", 0", e);
        }
    }

    @Override
    public void kill(int pid, int signal) {
        try {
            LibC.kill(pid, signal);
        } catch (LastErrorException e) {
            throw fail("kill", pid + ", " + signal, e);
        }
    }

    @Override
    public int open(String path, int flags, int mode) {
        while (true) {
            try {
                return LibC.open(path, flags | O_CLOEXEC, mode);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw fail("open", path, e);
                }
            }
        }
    }

    @Override
    public void close(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            // close(2) releases the descriptor even when it reports an error; nothing to retry.
            if (e.getErrorCode() != EINTR && e.getErrorCode() != EIO) {
                throw fail("close", fd, e);
            }
        }
    }

    @Override
    public int[] pipe() {
        int[] fds = new int[2];
        try {
            LibC.pipe2(fds, O_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("pipe2", "O_CLOEXEC", e);
        }
        return fds;
    }

    @Override
    public int memfd(String name) {
        try {
            return LibC.memfd_create(name, MFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("memfd_create", name, e);
        }
    }

    @Override
    public int read(int fd, byte[] buffer, int length) {
        while (true) {
            try {
                return (int) LibC.read(fd, buffer, length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EIO) {
                    return -1;
                }
                if (e.getErrorCode() != EINTR) {
                    throw fail("read", fd, e);
                }
            }
        }
    }

    @Override
    public void write(int fd, byte[] buffer, int length) {
        Memory memory = new Memory(Math.max(1, length));
        memory.write(0, buffer, 0, length);
        long done = 0;
        while (done < length) {
            try {
                done += LibC.write(fd, memory.share(done), length - done);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw fail("write", fd, e);
                }
            }
        }
    }

    @Override
    public void setWindowSize(int fd, int rows, int columns) {
        Memory winsize = new Memory(8);
        winsize.clear();
        winsize.setShort(0, (short) rows);
        winsize.setShort(2, (short) columns);
        try {
            LibC.ioctl(fd, TIOCSWINSZ, winsize);
        } catch (LastErrorException e) {
            throw fail("ioctl", fd + ", TIOCSWINSZ " + columns + "x" + rows, e);
        }
    }

    @Override
    public void mount(String source, String target, String type, long flags, String data) {
        try {
            LibC.mount(source, target, type, flags, data);
        } catch (LastErrorException e) {
            throw fail("mount", source + " on " + target + " (type " + type + ", data " + data + ")", e);
        }
    }

    @Override
    public boolean unmountDetached(String target) {
        try {
            LibC.umount2(target, 2);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 22) {
                return false;
            }
            throw fail("umount2", target, e);
        }
    }

    @Override
    public int listenUnix(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SOCKADDR_UN_SIZE - 2) {
            throw new SyscallException("bind", path + ": longer than a unix socket path may be", 36);
        }
        int fd;
        try {
            fd = LibC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw fail("socket", "AF_UNIX", e);
        }
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, name, 0, name.length);
        try {
            LibC.bind(fd, address, SOCKADDR_UN_SIZE);
            LibC.listen(fd, 1);
            return fd;
        } catch (LastErrorException e) {
            close(fd);
            throw fail("bind/listen", path, e);
        }
    }

    @Override
    public int receiveFd(int listeningFd) {
        int connection;
        try {
            connection = LibC.accept4(listeningFd, Pointer.NULL, Pointer.NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return -1;
            }
            throw fail("accept4", listeningFd, e);
        }
        try {
            Memory data = new Memory(4096);
            Memory iov = new Memory(16);
            iov.setPointer(0, data);
            iov.setLong(8, data.size());
            Memory control = new Memory(24); // CMSG_SPACE(sizeof(int))
            control.clear();
            Memory message = new Memory(56); // struct msghdr
            message.clear();
            message.setPointer(16, iov);
            message.setLong(24, 1);
            message.setPointer(32, control);
            message.setLong(40, control.size());
            LibC.recvmsg(connection, message, MSG_CMSG_CLOEXEC);
            long controlLength = message.getLong(40);
            if (controlLength < 20 || control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) {
                throw new SyscallException("recvmsg", "console socket: the runtime sent no descriptor", EIO);
            }
            return control.getInt(16);
        } catch (LastErrorException e) {
            throw fail("recvmsg", "console socket", e);
        } finally {
            close(connection);
        }
    }
}
