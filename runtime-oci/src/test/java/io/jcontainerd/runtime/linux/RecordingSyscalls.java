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

    private void rec(String s) { calls.add(s); }

    public int indexOf(String prefix) {
        for (int i = 0; i < calls.size(); i++) if (calls.get(i).startsWith(prefix)) return i;
        return -1;
    }

    @Override public void unshare(int flags) { rec("unshare 0x" + Integer.toHexString(flags)); }
    @Override public void setns(String nsPath, int nsType) { rec("setns " + nsPath); }
    @Override public void mount(String source, String target, String fsType, long flags, String data) {
        rec("mount " + source + " " + target + " " + fsType + " 0x" + Long.toHexString(flags) + (data == null ? "" : " " + data));
    }
    @Override public void umount2(String target, int flags) { rec("umount2 " + target); }
    @Override public void pivotRoot(String newRoot, String putOld) { rec("pivot_root " + newRoot + " " + putOld); }
    @Override public void chroot(String path) { rec("chroot " + path); }
    @Override public void chdir(String path) { rec("chdir " + path); }
    @Override public Kind kind(String path) { return files.getOrDefault(path, Kind.MISSING); }
    @Override public String readlink(String path) { return links.get(path); }
    @Override public void mkdirs(String path, int mode) { rec("mkdirs " + path); files.put(path, Kind.DIRECTORY); }
    @Override public void createFile(String path, int mode) { rec("create " + path); files.put(path, Kind.FILE); }
    @Override public void mknod(String path, int mode, long dev) { rec("mknod " + path + " " + dev); files.put(path, Kind.OTHER); }
    @Override public void chown(String path, long uid, long gid) { rec("chown " + path + " " + uid + ":" + gid); }
    @Override public void chmod(String path, int mode) { rec("chmod " + path + " " + Integer.toOctalString(mode)); }
    @Override public void symlink(String target, String link) { rec("symlink " + link + " -> " + target); files.put(link, Kind.SYMLINK); links.put(link, target); }
    @Override public void writeFile(String path, String content) { rec("write " + path + " " + content); }
    @Override public int open(String path, int flags) { rec("open " + path); return nextFd++; }
    @Override public void close(int fd) { rec("close " + fd); }
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
