package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.Errno;
import io.jcontainerd.runtime.linux.FileStat;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;

import static io.jcontainerd.runtime.linux.LinuxConstants.*;

/**
 * A root directory (the rootfs before pivot_root, "/" after it) whose paths the init stage opens as
 * O_PATH file descriptors and then mounts onto, chmods or binds through {@code /proc/thread-self/fd/N}:
 * what is acted on is exactly what was resolved, so a symlink swapped into a shared volume between the
 * lookup and the mount cannot send the mount, a mkdir or a mknod out of the root (CVE-2021-30465,
 * CVE-2024-45310).
 *
 * <p>The path looked up is {@link SecureJoin}'s (symlinks already resolved inside the root, so a
 * destination under a symlink to a directory still to be made is made where the container will see it).
 * Its directory is opened with {@code openat2(root, dir, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)}:
 * symlinks (absolute ones too) and ".." resolve against the root and never leave it, whatever is swapped
 * in meanwhile. Missing directories are made one component at a time with mkdirat in the directory fd
 * just opened. The last component is opened in its directory with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 * (one that became a symlink meanwhile is looked at again, up to 100 times, then the create fails), and
 * that directory stays open so that a remount or propagation change after a mount reopens the same name
 * in it: the mount just made, not whatever the path leads to by then.
 *
 * <p>Without openat2 (ENOSYS: kernels before 5.6) the paths are SecureJoin's strings, as before: that
 * holds against a spec's symlinks, not against a concurrent swap.
 */
final class InRoot implements AutoCloseable {
    private static final String PROC_FD = "/proc/thread-self/fd/";
    private static final long IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private static final long BENEATH = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    private static final int ATTEMPTS = 100;

    private final Syscalls sys;
    private final String rootPath;
    private final int root; // -1: no openat2, SecureJoin's paths
    private final boolean procFd;

    /**
     * A path opened inside the root; {@link #path} is what to hand to mount(2), chmod(2) and the like.
     * It holds its parent directory open too, so that {@link #reopen} finds whatever was just mounted
     * on it without looking the path up again.
     */
    final class Target implements AutoCloseable {
        final int fd;
        final String path;
        private final int parent;
        private final String name;

        private Target(int fd, String path, int parent, String name) {
            this.fd = fd;
            this.path = path;
            this.parent = parent;
            this.name = name;
        }

        FileStat stat() { return fd >= 0 ? sys.statAt(fd, "") : sys.statAt(AT_FDCWD, path); }

        /**
         * The same name in the same directory, opened again: after a mount onto {@link #path}, the top
         * of what is mounted there (the fd itself stays the directory underneath).
         */
        Target reopen() {
            if (fd < 0) return new Target(-1, path, -1, null);
            if (parent < 0) return target(sys.openat2(fd, ".", O_PATH | O_CLOEXEC, BENEATH), -1, null);
            return target(sys.openat2(parent, name, O_PATH | O_CLOEXEC, BENEATH), -1, null);
        }

        @Override public void close() {
            if (fd >= 0) sys.close(fd);
            if (parent >= 0) sys.close(parent);
        }
    }

    private enum Make { NOTHING, DIRECTORY, FILE }

    private InRoot(Syscalls sys, String rootPath, int root, boolean procFd) {
        this.sys = sys;
        this.rootPath = rootPath;
        this.root = root;
        this.procFd = procFd;
    }

    static InRoot open(Syscalls sys, String rootPath) {
        try {
            int fd = sys.openat2(AT_FDCWD, rootPath, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            return new InRoot(sys, rootPath, fd, sys.statAt(AT_FDCWD, PROC_FD) != null);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOSYS) throw e;
            return new InRoot(sys, rootPath, -1, false);
        }
    }

    /** Whether paths are opened with openat2 (false: the kernel has none, SecureJoin's paths are used). */
    boolean byFd() { return root >= 0; }

    /** The existing file at path, symlinks followed inside the root; null when there is none. */
    Target find(String path) {
        if (root < 0) {
            String p = SecureJoin.join(sys, rootPath, path);
            return sys.statAt(AT_FDCWD, p) == null ? null : new Target(-1, p, -1, null);
        }
        String lex = lexical(path);
        if (lex.isEmpty()) return target(sys.openat2(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT), -1, null);
        int parent;
        try {
            parent = sys.openat2(root, dirOf(lex), O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) return null;
            throw e;
        }
        return child(parent, lex, path, Make.NOTHING);
    }

    /** The directory at path, made with its missing parents (mode 0755). */
    Target directory(String path) {
        if (root < 0) {
            String p = SecureJoin.join(sys, rootPath, path);
            FileStat st = sys.statAt(AT_FDCWD, p);
            if (st == null) sys.mkdirs(p, 0755);
            else if (!st.isDirectory()) throw notDirectory(path, "/" + lexical(path), st);
            return new Target(-1, p, -1, null);
        }
        String lex = lexical(path);
        if (lex.isEmpty()) return target(sys.openat2(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT), -1, null);
        return child(directories(dirOf(lex), path), lex, path, Make.DIRECTORY);
    }

    /** The file at path; an empty regular file (mode 0644) is made there, with its parents, when nothing is. */
    Target file(String path) {
        if (root < 0) {
            String p = SecureJoin.join(sys, rootPath, path);
            if (sys.statAt(AT_FDCWD, p) == null) {
                try (Target parent = directory(dirOf(lexical(path)))) {
                    sys.createFile(p, 0644);
                }
            }
            return new Target(-1, p, -1, null);
        }
        String lex = lexical(path);
        if (lex.isEmpty()) return directory(path);
        return child(directories(dirOf(lex), path), lex, path, Make.FILE);
    }

    /** A device node made at path (mknod), or null when something is there already. EPERM is the caller's. */
    Target node(String path, int mode, long dev) {
        if (root < 0) {
            String p = SecureJoin.join(sys, rootPath, path);
            try (Target parent = directory(dirOf(lexical(path)))) {
                if (sys.statAt(AT_FDCWD, p) != null) return null;
                sys.mknod(p, mode, dev);
            }
            return new Target(-1, p, -1, null);
        }
        String lex = lexical(path);
        int parent = directories(dirOf(lex), path);
        String name = nameOf(lex);
        try {
            if (sys.statAt(parent, name) != null) {
                sys.close(parent);
                return null;
            }
            sys.mknodat(parent, name, mode, dev);
        } catch (RuntimeException e) {
            sys.close(parent);
            throw e;
        }
        return child(parent, lex, path, Make.NOTHING);
    }

    /** A symlink at path pointing at target, unless something is there already. */
    void symlink(String target, String path) {
        if (root < 0) {
            String p = SecureJoin.join(sys, rootPath, path);
            try (Target parent = directory(dirOf(lexical(path)))) {
                if (sys.statAt(AT_FDCWD, p) == null) sys.symlink(target, p);
            }
            return;
        }
        String lex = lexical(path);
        int parent = directories(dirOf(lex), path);
        try {
            if (sys.statAt(parent, nameOf(lex)) == null) sys.symlinkat(target, parent, nameOf(lex));
        } finally {
            sys.close(parent);
        }
    }

    @Override public void close() { if (root >= 0) sys.close(root); }

    /** The directory lex (relative to the root, symlinks resolved) as an fd, made with its parents where missing. */
    private int directories(String lex, String path) {
        try {
            return sys.openat2(root, lex.isEmpty() ? "." : lex, O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOTDIR) throw notDirectory(path, "/" + lex, null);
            if (e.errno() != Errno.ENOENT) throw e;
        }
        int dir = sys.openat2(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, IN_ROOT);
        String prefix = "";
        try {
            for (String name : lex.split("/")) {
                prefix = prefix.isEmpty() ? name : prefix + "/" + name;
                int next = childFd(dir, name, prefix, path, Make.DIRECTORY);
                sys.close(dir);
                dir = next;
            }
        } catch (RuntimeException e) {
            sys.close(dir);
            throw e;
        }
        return dir;
    }

    /** The last component of lex in the directory parent (an fd this takes over), made when asked; null when missing. */
    private Target child(int parent, String lex, String path, Make make) {
        String name = nameOf(lex);
        int fd;
        try {
            fd = childFd(parent, name, lex, path, make);
        } catch (RuntimeException e) {
            sys.close(parent);
            throw e;
        }
        if (fd < 0) {
            sys.close(parent);
            return null;
        }
        return target(fd, parent, name);
    }

    /**
     * name in dir, never through a symlink (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): made when missing and
     * asked to, looked at again when it was swapped for a symlink meanwhile; -1 when missing.
     */
    private int childFd(int dir, String name, String lex, String path, Make make) {
        int flags = O_PATH | O_CLOEXEC | (make == Make.DIRECTORY ? O_DIRECTORY : 0);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return sys.openat2(dir, name, flags, BENEATH);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOTDIR) throw notDirectory(path, "/" + lex, sys.statAt(dir, name));
                if (e.errno() == Errno.ELOOP) continue; // a symlink now: swapped in by someone, look again
                if (e.errno() != Errno.ENOENT) throw e;
            }
            if (make == Make.NOTHING) return -1;
            try {
                if (make == Make.DIRECTORY) sys.mkdirat(dir, name, 0755);
                else sys.mknodat(dir, name, FileStat.S_IFREG | 0644, 0);
            } catch (SyscallException e) {
                if (e.errno() != Errno.EEXIST) throw e; // made meanwhile, or a symlink: look again
            }
        }
        throw JruncException.invalidArgument("cannot open /%s for %s inside %s: it kept turning into a symlink (another process"
                + " swapping it, or a symlink that leads nowhere) over %d attempts", lex, path, rootPath, ATTEMPTS);
    }

    private Target target(int fd, int parent, String name) {
        if (!procFd) {
            sys.close(fd);
            if (parent >= 0) sys.close(parent);
            throw JruncException.invalidArgument("no proc filesystem at /proc inside %s: mounts are made through /proc/thread-self/fd;"
                    + " add a proc mount at /proc to the spec", rootPath);
        }
        return new Target(fd, PROC_FD + fd, parent, name);
    }

    /** SecureJoin's resolution of path inside the root, relative to it ("" for the root itself). */
    private String lexical(String path) {
        String joined = SecureJoin.join(sys, rootPath, path);
        String r = rootPath.length() > 1 && rootPath.endsWith("/") ? rootPath.substring(0, rootPath.length() - 1) : rootPath;
        if (r.equals("/")) return joined.substring(1);
        return joined.length() <= r.length() ? "" : joined.substring(r.length() + 1);
    }

    private static String dirOf(String lex) {
        int i = lex.lastIndexOf('/');
        return i < 0 ? "" : lex.substring(0, i);
    }

    private static String nameOf(String lex) { return lex.substring(lex.lastIndexOf('/') + 1); }

    private static JruncException notDirectory(String path, String at, FileStat st) {
        if (st == null) return JruncException.invalidArgument("mount destination %s: %s is not a directory (or lies under a file)", path, at);
        return JruncException.invalidArgument("mount destination %s: %s exists and is %s, not a directory", path, at, st.describe());
    }
}
