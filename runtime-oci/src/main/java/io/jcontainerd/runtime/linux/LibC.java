package io.jcontainerd.runtime.linux;

import com.sun.jna.Function;
import com.sun.jna.JruncDirectCall;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The glibc entry points jrunc binds through JNA (x86_64), called through JNA {@link Function}s.
 * Not a JNA interface: {@code Native.load} generates a dynamic proxy class at every start, which the
 * AOT cache cannot hold (about 25 ms of CPU in each of jrunc's two JVMs), and direct mapping
 * ({@code Native.register}) parses JNA's annotations through proxies too. A function is looked up
 * (dlsym) on its first call. libc is loaded by soname: JNA resolves a bare "c" by running
 * /sbin/ldconfig -p. Errno via Native.getLastError(). Arguments keep their Java types: int is a C
 * int, long a 64-bit long, String a NUL-terminated copy, String[] a NULL-terminated char*[], arrays
 * are copied in and back out. Calls go to JNA's dispatch directly ({@link JruncDirectCall}), each argument
 * already in the form it takes.
 */
public final class LibC {
    public static final LibC INSTANCE = new LibC();
    private static final NativeLibrary LIB = NativeLibrary.getInstance("libc.so.6");

    public static final long SYS_SETGROUPS = 116, SYS_SETRESUID = 117, SYS_SETRESGID = 119, SYS_CAPSET = 126,
            SYS_PIVOT_ROOT = 155, SYS_SECCOMP = 317, SYS_CLOSE_RANGE = 436, SYS_PIDFD_OPEN = 434, SYS_OPENAT2 = 437;
    public static final long SYS_MEMFD_CREATE = 319, SYS_BPF = 321, SYS_TGKILL = 234;

    private LibC() {}

    /** Each function once: NativeLibrary.getFunction builds a key string and locks a map on every call. */
    private static final ConcurrentHashMap<String, Function> FUNCTIONS = new ConcurrentHashMap<>();

    private static Function function(String name) {
        return FUNCTIONS.computeIfAbsent(name, LIB::getFunction);
    }

    private static int i(String name, Object... args) { return JruncDirectCall.invokeInt(function(name), cStrings(args)); }
    private static long l(String name, Object... args) { return JruncDirectCall.invokeLong(function(name), cStrings(args)); }

    /**
     * Strings go to C as NUL-terminated UTF-8 byte arrays, which JNA passes as they are: a String argument
     * made JNA allocate a native copy (malloc) and register it with its Cleaner (a thread of its own) on
     * every call. A String[] becomes JNA's StringArray (native memory, a char* per string and a NULL), the
     * conversion Function.invoke made, held by {@code args} until the call returns.
     */
    private static Object[] cStrings(Object[] args) {
        for (int k = 0; k < args.length; k++) {
            if (args[k] instanceof String s) args[k] = cString(s);
            else if (args[k] instanceof String[] a) args[k] = new StringArray(a);
        }
        return args;
    }

    /** s as UTF-8 with a terminating NUL. */
    public static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    public long syscall(long number, long a1, long a2, long a3, long a4, long a5) { return l("syscall", number, a1, a2, a3, a4, a5); }
    /** openat2(2) with the path and struct open_how (24 bytes, little-endian) as arrays: no native allocation. */
    public long openat2(int dirFd, byte[] path, byte[] how) { return l("syscall", SYS_OPENAT2, (long) dirFd, path, how, (long) how.length); }

    public int mount(String source, String target, String fsType, long flags, String data) { return i("mount", source, target, fsType, flags, data); }
    public int umount2(String target, int flags) { return i("umount2", target, flags); }
    public int unshare(int flags) { return i("unshare", flags); }
    public int setns(int fd, int nsType) { return i("setns", fd, nsType); }
    public int chroot(String path) { return i("chroot", path); }
    public int chdir(String path) { return i("chdir", path); }
    public int sethostname(byte[] name, long len) { return i("sethostname", name, len); }
    public int setdomainname(byte[] name, long len) { return i("setdomainname", name, len); }
    public int umask(int mask) { return i("umask", mask); }
    public int prctl(int option, long a2, long a3, long a4, long a5) { return i("prctl", option, a2, a3, a4, a5); }
    public int mknod(String path, int mode, long dev) { return i("mknod", path, mode, dev); }
    public int chown(String path, int uid, int gid) { return i("chown", path, uid, gid); }
    public int chmod(String path, int mode) { return i("chmod", path, mode); }
    public int symlink(String target, String link) { return i("symlink", target, link); }
    public int mkdirat(int dirFd, String name, int mode) { return i("mkdirat", dirFd, name, mode); }
    public int mknodat(int dirFd, String name, int mode, long dev) { return i("mknodat", dirFd, name, mode, dev); }
    public int symlinkat(String target, int dirFd, String name) { return i("symlinkat", target, dirFd, name); }
    /** x86_64 struct stat is 144 bytes, st_mode at offset 24. */
    public int fstatat(int dirFd, String path, byte[] stat, int flags) { return i("fstatat", dirFd, path, stat, flags); }
    public int open(String path, int flags, int mode) { return i("open", path, flags, mode); }
    public int close(int fd) { return i("close", fd); }
    public long read(int fd, byte[] buf, long count) { return l("read", fd, buf, count); }
    public long write(int fd, byte[] buf, long count) { return l("write", fd, buf, count); }
    public long pread(int fd, byte[] buf, long count, long offset) { return l("pread", fd, buf, count, offset); }
    public long lseek(int fd, long offset, int whence) { return l("lseek", fd, offset, whence); }
    public int dup2(int from, int to) { return i("dup2", from, to); }
    public int fcntl(int fd, int cmd, int arg) { return i("fcntl", fd, cmd, arg); }
    public int pipe2(int[] fds, int flags) { return i("pipe2", fds, flags); }
    public int execve(String path, String[] argv, String[] envp) { return i("execve", path, argv, envp); }
    public int prlimit(int pid, int resource, Pointer newLimit, Pointer oldLimit) { return i("prlimit", pid, resource, newLimit, oldLimit); }
    public int sigprocmask(int how, Pointer set, Pointer old) { return i("sigprocmask", how, set, old); }
    public int sigaction(int sig, Pointer act, Pointer old) { return i("sigaction", sig, act, old); }
    public Pointer signal(int sig, Pointer handler) { return JruncDirectCall.invokePointer(function("signal"), new Object[] {sig, handler}); }
    public int socketpair(int domain, int type, int protocol, int[] fds) { return i("socketpair", domain, type, protocol, fds); }
    public int waitpid(int pid, int[] status, int options) { return i("waitpid", pid, status, options); }
    public int kill(int pid, int sig) { return i("kill", pid, sig); }
    public int getpid() { return i("getpid"); }
    public int setsid() { return i("setsid"); }
    public int ioctl(int fd, long request, Pointer arg) { return i("ioctl", fd, request, arg); }
    public int socket(int domain, int type, int protocol) { return i("socket", domain, type, protocol); }
    public int connect(int fd, Pointer addr, int len) { return i("connect", fd, addr, len); }
    public long sendmsg(int fd, Pointer msg, int flags) { return l("sendmsg", fd, msg, flags); }
    public long recvmsg(int fd, Pointer msg, int flags) { return l("recvmsg", fd, msg, flags); }

    public int posix_spawn_file_actions_init(Pointer fa) { return i("posix_spawn_file_actions_init", fa); }
    public int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newFd) { return i("posix_spawn_file_actions_adddup2", fa, fd, newFd); }
    public int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from) { return i("posix_spawn_file_actions_addclosefrom_np", fa, from); }
    public int posix_spawn_file_actions_destroy(Pointer fa) { return i("posix_spawn_file_actions_destroy", fa); }
    public int posix_spawnattr_init(Pointer attr) { return i("posix_spawnattr_init", attr); }
    public int posix_spawnattr_setflags(Pointer attr, short flags) { return i("posix_spawnattr_setflags", attr, flags); }
    public int posix_spawnattr_setsigmask(Pointer attr, Pointer mask) { return i("posix_spawnattr_setsigmask", attr, mask); }
    public int posix_spawnattr_setsigdefault(Pointer attr, Pointer mask) { return i("posix_spawnattr_setsigdefault", attr, mask); }
    public int posix_spawnattr_destroy(Pointer attr) { return i("posix_spawnattr_destroy", attr); }
    public int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, String[] argv, String[] envp) {
        return i("posix_spawn", pid, path, fileActions, attr, argv, envp);
    }
    public Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) {
        return JruncDirectCall.invokePointer(function("mmap"), new Object[] {addr, length, prot, flags, fd, offset});
    }
    public int mprotect(Pointer addr, long length, int prot) { return i("mprotect", addr, length, prot); }
    public int poll(Pointer fds, long nfds, int timeoutMs) { return i("poll", fds, nfds, timeoutMs); }
    public int sigemptyset(Pointer set) { return i("sigemptyset", set); }
    public int sigfillset(Pointer set) { return i("sigfillset", set); }
}
