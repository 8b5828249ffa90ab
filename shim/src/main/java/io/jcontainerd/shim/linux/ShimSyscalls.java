package io.jcontainerd.shim.linux;

import java.util.List;
import java.util.Map;

/**
 * Every system call the shim makes. File descriptors are plain ints: they are handed to the
 * runtime's processes, which Java's streams cannot do. Failures throw {@link SyscallException}.
 */
public interface ShimSyscalls {

    int EAGAIN = 11;
    int ECHILD = 10;
    int EINTR = 4;
    int EIO = 5;
    int ENXIO = 6;
    int EPERM = 1;
    int ESRCH = 3;

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;

    static ShimSyscalls linux() {
        return LinuxShimSyscalls.INSTANCE;
    }

    int getpid();

    /** Starts a new session; EPERM when the caller already leads a process group. */
    void setsid();

    int getsid();

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of our descendants re-parent to us. */
    void becomeSubreaper();

    /**
     * posix_spawn of {@code argv} with {@code env}; fds {@code stdio[0..2]} become the child's 0, 1
     * and 2 and every other descriptor is closed in the child.
     */
    int spawn(List<String> argv, Map<String, String> env, int[] stdio);

    /**
     * waitid(P_ALL, WEXITED | WNOWAIT): blocks until a child has exited and returns its pid without
     * reaping it (the zombie keeps the pid, so no new process can take it until
     * {@link #reapChild}); 0 when the shim has no child at all (ECHILD).
     */
    int awaitExitedChild();

    /** waitpid(pid, WNOHANG) of a child {@link #awaitExitedChild} returned: its raw wait status. */
    int reapChild(int pid);

    /** kill(pid, 0): true while a process (a zombie included) holds {@code pid}. */
    boolean exists(int pid);

    void kill(int pid, int signal);

    int open(String path, int flags, int mode);

    void close(int fd);

    /** pipe2(O_CLOEXEC): {read end, write end}. */
    int[] pipe();

    /** An anonymous in-memory file (memfd_create), for capturing a command's output. */
    int memfd(String name);

    /** Bytes read (0 at end of file); -1 with EIO, what a pty master reads after its last slave closed. */
    int read(int fd, byte[] buffer, int length);

    /** Writes all of {@code length} bytes. */
    void write(int fd, byte[] buffer, int length);

    /** Sets a terminal's window size (TIOCSWINSZ). */
    void setWindowSize(int fd, int rows, int columns);

    void mount(String source, String target, String type, long flags, String data);

    /** umount2(target, MNT_DETACH); false when nothing is mounted there (EINVAL). */
    boolean unmountDetached(String target);

    /** A listening unix stream socket bound at {@code path} (close-on-exec). */
    int listenUnix(String path);

    /**
     * Accepts one pending connection without waiting and receives the one descriptor it sends
     * with SCM_RIGHTS (how a runtime hands over a pty master); -1 when nobody connected.
     */
    int receiveFd(int listeningFd);
}
