package io.jcontainerd.runtime.linux;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake {@link Syscalls} that records every call as one line ("mount proc /r/proc proc") over an
 * in-memory file tree, so the init stage's ordering can be asserted without root.
 */
public final class RecordingSyscalls implements Syscalls {
    public final List<String> calls = new ArrayList<>();
    private final Map<String, Kind> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, Long> devices = new HashMap<>();
    /** What each open fd refers to (openat2's O_PATH fds); "/proc/thread-self/fd/N" in a call is shown as that path. */
    public final Map<Integer, String> fdPaths = new HashMap<>();
    /** openat2 answers ENOSYS, as on kernels before 5.6. */
    public boolean noOpenat2;
    private int nextFd = 10;
    private final java.util.Set<String> deniedByFilter = new java.util.HashSet<>();

    /** Calls (by their recorded name) that fail with EPERM once a seccomp filter was installed, as a profile denying them would. */
    public RecordingSyscalls deniedByFilter(String... names) { deniedByFilter.addAll(List.of(names)); return this; }

    private void filtered(String name) {
        if (deniedByFilter.contains(name) && indexOf("seccomp") >= 0) {
            rec(name + " denied");
            throw new SyscallException(name, "by the seccomp filter", Errno.EPERM);
        }
    }

    public RecordingSyscalls dir(String path) { files.put(path, Kind.DIRECTORY); return this; }
    public RecordingSyscalls file(String path) { files.put(path, Kind.FILE); return this; }
    public RecordingSyscalls link(String path, String target) { files.put(path, Kind.SYMLINK); links.put(path, target); return this; }
    public RecordingSyscalls charDevice(String path, int major, int minor) {
        files.put(path, Kind.OTHER);
        devices.put(path, LinuxConstants.makedev(major, minor));
        return this;
    }

    /** Every mount's target as given, to check that mounts go through fds. */
    public final List<String> mountTargets = new ArrayList<>();

    private String shown(String path) {
        if (path != null && path.startsWith("/proc/thread-self/fd/")) {
            String p = fdPaths.get(Integer.parseInt(path.substring("/proc/thread-self/fd/".length())));
            if (p == null) throw new IllegalStateException(path + " is not an open fd");
            return p;
        }
        return path;
    }

    private static String under(String dir, String name) { return dir.equals("/") ? "/" + name : dir + "/" + name; }

    private String base(int dirFd) {
        if (dirFd == LinuxConstants.AT_FDCWD) return "/";
        String p = fdPaths.get(dirFd);
        if (p == null) throw new SyscallException("fd", Integer.toString(dirFd), Errno.EBADF);
        return p;
    }

    @Override public int openat2(int dirFd, String path, int flags, long resolve) {
        if (noOpenat2) throw new SyscallException("openat2", path, Errno.ENOSYS);
        String resolved;
        if ((resolve & LinuxConstants.RESOLVE_IN_ROOT) != 0) {
            resolved = io.jcontainerd.runtime.init.SecureJoin.join(this, base(dirFd), path);
        } else if (path.startsWith("/")) {
            resolved = path;
        } else {
            resolved = path.equals(".") ? base(dirFd) : under(base(dirFd), path);
            if ((resolve & LinuxConstants.RESOLVE_NO_SYMLINKS) != 0 && kind(resolved) == Kind.SYMLINK) {
                throw new SyscallException("openat2", path, Errno.ELOOP);
            }
        }
        Kind k = kind(resolved);
        if (k == Kind.MISSING) throw new SyscallException("openat2", path, Errno.ENOENT);
        if ((flags & LinuxConstants.O_DIRECTORY) != 0 && k != Kind.DIRECTORY) throw new SyscallException("openat2", path, Errno.ENOTDIR);
        int fd = nextFd++;
        fdPaths.put(fd, resolved);
        return fd;
    }
    @Override public void mkdirat(int dirFd, String name, int mode) {
        String p = under(base(dirFd), name);
        if (kind(p) != Kind.MISSING) throw new SyscallException("mkdirat", name, Errno.EEXIST);
        rec("mkdir " + p);
        files.put(p, Kind.DIRECTORY);
    }
    @Override public void mknodat(int dirFd, String name, int mode, long dev) {
        String p = under(base(dirFd), name);
        if (kind(p) != Kind.MISSING) throw new SyscallException("mknodat", name, Errno.EEXIST);
        if ((mode & 0170000) == 0100000) {
            rec("create " + p);
            files.put(p, Kind.FILE);
        } else {
            mknod(p, mode, dev);
        }
    }
    @Override public void symlinkat(String target, int dirFd, String name) { symlink(target, under(base(dirFd), name)); }
    @Override public FileStat statAt(int dirFd, String name) {
        String p = name.isEmpty() ? base(dirFd) : name.startsWith("/") ? name : under(base(dirFd), name);
        if (p.startsWith("/proc/thread-self/fd")) return new FileStat(FileStat.S_IFDIR | 0500, 0);
        return switch (kind(p)) {
            case MISSING -> null;
            case DIRECTORY -> new FileStat(FileStat.S_IFDIR | 0755, 0);
            case FILE -> new FileStat(FileStat.S_IFREG | 0644, 0);
            case SYMLINK -> new FileStat(FileStat.S_IFLNK | 0777, 0);
            case OTHER -> new FileStat(FileStat.S_IFCHR | 0666, devices.getOrDefault(p, 0L));
        };
    }

    private void rec(String s) { calls.add(s); }

    public int indexOf(String prefix) {
        for (int i = 0; i < calls.size(); i++) if (calls.get(i).startsWith(prefix)) return i;
        return -1;
    }

    @Override public void unshare(int flags) { rec("unshare 0x" + Integer.toHexString(flags)); }
    @Override public void setns(String nsPath, int nsType) { rec("setns " + nsPath); }
    @Override public void setns(int nsFd, int nsType) { rec("setns fd " + nsFd + " 0x" + Integer.toHexString(nsType)); }
    @Override public void mount(String source, String target, String fsType, long flags, String data) {
        mountTargets.add(target);
        rec("mount " + shown(source) + " " + shown(target) + " " + fsType + " 0x" + Long.toHexString(flags) + (data == null ? "" : " " + data));
    }
    @Override public void umount2(String target, int flags) { rec("umount2 " + target); }
    @Override public void pivotRoot(String newRoot, String putOld) { rec("pivot_root " + newRoot + " " + putOld); }
    @Override public void chroot(String path) { rec("chroot " + path); }
    @Override public void chdir(String path) { rec("chdir " + path); }
    @Override public Kind kind(String path) { return path.equals("/") ? Kind.DIRECTORY : files.getOrDefault(path, Kind.MISSING); }
    @Override public String readlink(String path) { return links.get(path); }
    @Override public void mkdirs(String path, int mode) { rec("mkdirs " + path); files.put(path, Kind.DIRECTORY); }
    @Override public void createFile(String path, int mode) { rec("create " + path); files.put(path, Kind.FILE); }
    @Override public void mknod(String path, int mode, long dev) { rec("mknod " + path + " " + dev); files.put(path, Kind.OTHER); devices.put(path, dev); }
    @Override public void chown(String path, long uid, long gid) { rec("chown " + shown(path) + " " + uid + ":" + gid); }
    @Override public void chmod(String path, int mode) { rec("chmod " + shown(path) + " " + Integer.toOctalString(mode)); }
    @Override public void symlink(String target, String link) { rec("symlink " + link + " -> " + target); files.put(link, Kind.SYMLINK); links.put(link, target); }
    @Override public void writeFile(String path, String content) { rec("write " + path + " " + content); }
    @Override public int open(String path, int flags) { rec("open " + path); return nextFd++; }
    @Override public void close(int fd) { if (fdPaths.remove(fd) == null) rec("close " + fd); }
    @Override public void sethostname(String name) { rec("sethostname " + name); }
    @Override public void setdomainname(String name) { rec("setdomainname " + name); }
    @Override public void setrlimit(int resource, long soft, long hard) { rec("setrlimit " + resource + " " + soft + " " + hard); }
    @Override public void umask(int mask) { rec("umask " + Integer.toOctalString(mask)); }
    @Override public void setgroups(List<Long> gids) { rec("setgroups " + gids); }
    @Override public void setresgid(long gid) { rec("setresgid " + gid); }
    @Override public void setresuid(long uid) { rec("setresuid " + uid); }
    @Override public void prctl(int option, long arg2, long arg3) { rec("prctl " + option + " " + arg2 + " " + arg3); }
    @Override public void capset(long effective, long permitted, long inheritable) {
        rec("capset 0x" + Long.toHexString(effective) + " 0x" + Long.toHexString(permitted) + " 0x" + Long.toHexString(inheritable));
    }
    @Override public void seccomp(byte[] filter) { rec("seccomp " + filter.length / 8); }
    @Override public int connectUnix(String socketPath) { rec("connect " + socketPath); return nextFd++; }
    @Override public int[] openPty() { rec("openpty"); return new int[] {nextFd++, nextFd++}; }
    @Override public void sendFd(int socket, int fd, String name) { rec("sendfd " + fd); }
    @Override public void setWindowSize(int fd, int rows, int columns) { rec("winsize " + fd + " " + rows + "x" + columns); }
    @Override public void becomeTerminalSession(int slaveFd) { rec("setsid+ctty " + slaveFd); }
    @Override public void closeFromCloexec(int fromFd) { filtered("close_range"); rec("close_range " + fromFd); }
    @Override public void cloexecListedFds(int fromFd) { filtered("cloexec_listed"); rec("cloexec_listed " + fromFd); }
    @Override public void resetSignals() { rec("reset_signals"); }
    @Override public void execve(String path, List<String> argv, List<String> env) { rec("execve " + path + " " + argv); }

    /** The exit status every spawned child ends with. */
    public int childStatus;
    public final Map<Integer, String> memfds = new HashMap<>();
    @Override public int getpid() { return 1; }
    @Override public int memfd(String name, byte[] content) {
        int fd = nextFd++;
        memfds.put(fd, new String(content, java.nio.charset.StandardCharsets.UTF_8));
        rec("memfd " + name);
        return fd;
    }
    @Override public byte[] readFrom(int fd, int max) { return memfds.getOrDefault(fd, "").getBytes(java.nio.charset.StandardCharsets.UTF_8); }
    @Override public void write(int fd, String content) { rec("write fd " + fd + " " + content); }
    @Override public int spawn(String path, List<String> argv, List<String> env, int stdin, int stdout, int stderr) {
        rec("spawn " + path + " " + argv + " stdin " + memfds.get(stdin));
        return 4242;
    }
    @Override public int waitpid(int pid, long timeoutMillis) { rec("waitpid " + pid); return childStatus; }
    @Override public void kill(int pid, int signal) { rec("kill " + pid + " " + signal); }
    @Override public int bpfLoadDeviceProgram(byte[] instructions, String license) { rec("bpf load " + instructions.length / 8); return nextFd++; }
    @Override public void bpfAttachDeviceProgram(int cgroupFd, int programFd) { rec("bpf attach " + programFd); }
    @Override public void bpfDetachDeviceProgram(int cgroupFd, int programFd) { rec("bpf detach " + programFd); }
    @Override public List<Integer> bpfDevicePrograms(int cgroupFd) { return List.of(); }
    @Override public int bpfProgram(int id) { return nextFd++; }
}
