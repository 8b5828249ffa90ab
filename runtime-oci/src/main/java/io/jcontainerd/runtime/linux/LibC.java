package io.jcontainerd.runtime.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The glibc entry points jrunc binds through JNA (x86_64). Loaded once, by soname: JNA resolves a bare
 * "c" by running /sbin/ldconfig -p, a process spawn on every jrunc start. Errno via Native.getLastError().
 */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("libc.so.6", LibC.class);

    long SYS_SETGROUPS = 116, SYS_SETRESUID = 117, SYS_SETRESGID = 119, SYS_CAPSET = 126, SYS_PIVOT_ROOT = 155,
            SYS_SECCOMP = 317, SYS_CLOSE_RANGE = 436, SYS_PIDFD_OPEN = 434;
    long SYS_MEMFD_CREATE = 319, SYS_BPF = 321;

    long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    int mount(String source, String target, String fsType, long flags, String data);
    int umount2(String target, int flags);
    int unshare(int flags);
    int setns(int fd, int nsType);
    int chroot(String path);
    int chdir(String path);
    int sethostname(byte[] name, long len);
    int setdomainname(byte[] name, long len);
    int umask(int mask);
    int prctl(int option, long a2, long a3, long a4, long a5);
    int mknod(String path, int mode, long dev);
    int chown(String path, int uid, int gid);
    int chmod(String path, int mode);
    int symlink(String target, String link);
    int open(String path, int flags, int mode);
    int close(int fd);
    long read(int fd, byte[] buf, long count);
    long write(int fd, byte[] buf, long count);
    long pread(int fd, byte[] buf, long count, long offset);
    long lseek(int fd, long offset, int whence);
    int dup2(int from, int to);
    int fcntl(int fd, int cmd, int arg);
    int pipe2(int[] fds, int flags);
    int execve(String path, String[] argv, String[] envp);
    int prlimit(int pid, int resource, Pointer newLimit, Pointer oldLimit);
    int sigprocmask(int how, Pointer set, Pointer old);
    int sigaction(int sig, Pointer act, Pointer old);
    Pointer signal(int sig, Pointer handler);
    int socketpair(int domain, int type, int protocol, int[] fds);
    int waitpid(int pid, int[] status, int options);
    int kill(int pid, int sig);
    int getpid();
    int setsid();
    int ioctl(int fd, long request, Pointer arg);
    int socket(int domain, int type, int protocol);
    int connect(int fd, Pointer addr, int len);
    long sendmsg(int fd, Pointer msg, int flags);

    int posix_spawn_file_actions_init(Pointer fa);
    int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newFd);
    int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);
    int posix_spawn_file_actions_destroy(Pointer fa);
    int posix_spawnattr_init(Pointer attr);
    int posix_spawnattr_setflags(Pointer attr, short flags);
    int posix_spawnattr_setsigmask(Pointer attr, Pointer mask);
    int posix_spawnattr_setsigdefault(Pointer attr, Pointer mask);
    int posix_spawnattr_destroy(Pointer attr);
    int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, String[] argv, String[] envp);
    int sigemptyset(Pointer set);
    int sigfillset(Pointer set);
}
