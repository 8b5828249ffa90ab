package io.jcontainerd.runtime.linux;

import java.util.List;

/**
 * Every system call the container init stage makes, in one place, so that the order of mounts,
 * pivot_root and credential changes can be unit-tested with a recording fake. The JNA implementation
 * throws {@link SyscallException} with errno and the path involved.
 *
 * <p>Credential, namespace, capability and seccomp calls act on the calling thread only (raw
 * syscalls, not glibc's process-wide wrappers): the init stage runs them and the final execve on the
 * same thread, and execve makes that thread's state the process's.
 */
public interface Syscalls {
    enum Kind { MISSING, DIRECTORY, FILE, SYMLINK, OTHER }

    // namespaces
    void unshare(int flags);
    void setns(String nsPath, int nsType);
    /** setns on a namespace fd another process opened (the init stage boots where host paths do not resolve). */
    void setns(int nsFd, int nsType);

    // mounts and the root
    void mount(String source, String target, String fsType, long flags, String data);
    void umount2(String target, int flags);
    void pivotRoot(String newRoot, String putOld);
    void chroot(String path);
    void chdir(String path);

    // files, resolved against the calling thread's root
    Kind kind(String path);
    String readlink(String path);
    void mkdirs(String path, int mode);
    void createFile(String path, int mode);
    void mknod(String path, int mode, long dev);
    void chown(String path, long uid, long gid);
    void chmod(String path, int mode);
    void symlink(String target, String link);
    void writeFile(String path, String content);
    int open(String path, int flags);
    void close(int fd);

    // files relative to a directory fd (dirFd AT_FDCWD: the cwd), never following a final symlink
    /**
     * openat2(2): path looked up from dirFd under the RESOLVE_* flags (RESOLVE_IN_ROOT: dirFd is "/",
     * symlinks and ".." never leave it); returns the fd. Retried while the kernel answers EAGAIN (a rename
     * or mount raced the lookup). ENOSYS on kernels before 5.6.
     */
    int openat2(int dirFd, String path, int flags, long resolve);
    void mkdirat(int dirFd, String name, int mode);
    void mknodat(int dirFd, String name, int mode, long dev);
    void symlinkat(String target, int dirFd, String name);
    /** fstatat(2) with AT_SYMLINK_NOFOLLOW; name "" is dirFd itself (AT_EMPTY_PATH). Null when it does not exist. */
    FileStat statAt(int dirFd, String name);

    // identity and limits
    void sethostname(String name);
    void setdomainname(String name);
    void setrlimit(int resource, long soft, long hard);
    void umask(int mask);
    void setgroups(List<Long> gids);
    void setresgid(long gid);
    void setresuid(long uid);
    void prctl(int option, long arg2, long arg3);
    void capset(long effective, long permitted, long inheritable);
    void seccomp(byte[] filter);

    // terminal: a pty whose master goes to the console socket
    int connectUnix(String socketPath);
    /** Opens /dev/ptmx (the container's, after pivot_root) and its slave; returns {master, slave}. */
    int[] openPty();
    void sendFd(int socket, int fd, String name);
    /** TIOCSWINSZ: sets a terminal's window size (rows, columns). */
    void setWindowSize(int fd, int rows, int columns);
    /** setsid, make the tty our controlling terminal and dup it onto stdin, stdout and stderr. */
    void becomeTerminalSession(int slaveFd);

    // process
    void closeFromCloexec(int fromFd);
    /** Marks each fd listed in /proc/self/fd from fromFd close-on-exec with fcntl: for when close_range is denied. */
    void cloexecListedFds(int fromFd);
    void resetSignals();
    void execve(String path, List<String> argv, List<String> env);

    // child processes of the calling thread (OCI hooks): born in its namespaces, root and credentials
    int getpid();
    /** An anonymous in-memory file (memfd, close-on-exec) holding content, positioned at its start. */
    int memfd(String name, byte[] content);
    /** Up to max bytes of fd from offset 0 (pread). */
    byte[] readFrom(int fd, int max);
    void write(int fd, String content);
    /** posix_spawn of path with stdio from the given fds; every other fd closed, signal mask and dispositions reset. */
    int spawn(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr);
    /**
     * A child's exit status as runc reports it (its exit code, or 128 + the signal that killed it), or -1
     * when it still runs after timeoutMillis (negative: wait as long as it takes).
     */
    int waitpid(int pid, long timeoutMillis);
    void kill(int pid, int signal);

    // eBPF device programs on a cgroup v2 directory (cgroup v2's device rules)
    /** BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program; returns its fd (the verifier's log goes in the error). */
    int bpfLoadDeviceProgram(byte[] instructions, String license);
    /** BPF_PROG_ATTACH as BPF_CGROUP_DEVICE with BPF_F_ALLOW_MULTI to the cgroup directory open at cgroupFd. */
    void bpfAttachDeviceProgram(int cgroupFd, int programFd);
    void bpfDetachDeviceProgram(int cgroupFd, int programFd);
    /** Ids of the device programs attached to the cgroup (BPF_PROG_QUERY). */
    List<Integer> bpfDevicePrograms(int cgroupFd);
    /** An fd for the loaded program with this id (BPF_PROG_GET_FD_BY_ID). */
    int bpfProgram(int id);
}
