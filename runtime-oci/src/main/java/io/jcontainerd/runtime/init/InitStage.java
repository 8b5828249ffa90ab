package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.CapabilityNames;
import io.jcontainerd.runtime.linux.Errno;
import io.jcontainerd.runtime.linux.FileStat;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;
import io.jcontainerd.runtime.spec.Hooks;
import io.jcontainerd.runtime.spec.SysctlPolicy;

import java.util.List;

import static io.jcontainerd.runtime.linux.LinuxConstants.*;
import static io.jcontainerd.runtime.spec.MountOptions.*;

/**
 * The container's init stage: runs inside the new namespaces (created by the jrunc command's spawn
 * thread), finishes the setup only a process in there can do and execve's the user's program.
 * Everything happens on one thread because namespace, credential, capability and seccomp changes
 * are per-thread and execve hands the calling thread's to the new program.
 *
 * <p>Order (as runc): cgroups, mounts, devices, [prestart/createRuntime hooks run by jrunc],
 * [createContainer hooks], pivot_root, hostname, sysctl, read-only and masked paths, read-only root,
 * rlimits, console, bounding set, uid/gid, capabilities, "ready", wait on exec.fifo, no_new_privs,
 * [startContainer hooks, their result written to the fifo for `jrunc start`], seccomp, close our fds, execve
 * (which closes the fifo: `jrunc start` returns once the program, not the JVM, holds the pid).
 * Without no_new_privs the seccomp filter goes on before uid/gid (it needs CAP_SYS_ADMIN then), right after
 * our fds are marked close-on-exec: nothing after it may need a syscall the profile could deny.
 */
public final class InitStage {
    private final Syscalls sys;
    private final SyncChannel sync;
    private final InitPlan plan;
    private final PlanFds fds;

    /** @param fds what the runtime opened for this plan (the JVM booted in a jail where host paths do not resolve) */
    public InitStage(Syscalls sys, SyncChannel sync, InitPlan plan, PlanFds fds) {
        this.sys = sys;
        this.sync = sync;
        this.plan = plan;
        this.fds = fds;
    }

    /** Runs the plan; on success never returns (execve). */
    public void run() {
        String exe;
        List<String> env;
        int fifo = -1;
        try {
            // Container processes must not open /proc/<init>/{exe,fd,mem,map_files} while we are still the JVM.
            sys.prctl(PR_SET_DUMPABLE, 0, 0);
            for (int file : fds.cgroupFiles()) {
                sys.write(file, "0");
                sys.close(file);
            }
            if (!plan.exec() && fds.cgroupFiles().length > 0) {
                // the runtime moves this whole process into the hierarchies that take only whole processes (a hybrid
                // host's unified one) once this thread is in the others: that move holds cgroup_mutex for an RCU grace
                // period, and the writes above would wait for it. A cgroup namespace is entered only once it is done.
                sync.send("cgroups");
                if (fds.cgroupNs() >= 0 || plan.newCgroupNs()) {
                    String answer = sync.receive();
                    if (!"resume".equals(answer)) throw JruncException.system("moving the init into its cgroups failed: %s", answer);
                }
            }
            if (fds.cgroupNs() >= 0) {
                sys.setns(fds.cgroupNs(), CLONE_NEWCGROUP);
                sys.close(fds.cgroupNs());
            } else if (plan.newCgroupNs()) {
                sys.unshare(CLONE_NEWCGROUP);
            }
            // This thread, the one that execs, leaves the jail the JVM booted in for the container's mount
            // namespace (exec) or the one made for the container's setup (create). setns(CLONE_NEWNS) needs
            // a thread that shares no fs_struct with the JVM's other threads, which stay in the jail.
            sys.unshare(CLONE_FS);
            sys.setns(fds.mountNs(), CLONE_NEWNS);
            sys.close(fds.mountNs());
            if (plan.execFifo() != null) fifo = sys.open(plan.execFifo(), O_PATH | O_CLOEXEC);
            int console = fds.console();
            if (plan.rootfs() != null) prepareRootfs(plan.rootfs());
            if (plan.syncHooks()) {
                sync.send("hooks");
                String answer = sync.receive();
                if (!"resume".equals(answer)) throw JruncException.system("runtime hooks failed: %s", answer);
            }
            if (plan.rootfs() != null && plan.hooks() != null && !plan.hooks().createContainer().isEmpty()) {
                // runc: in the container's namespaces with the mounts in place, cwd at the rootfs, before
                // pivot_root (so hook paths still resolve on the host)
                sys.chdir(plan.rootfs().path());
                HookRunner.run(sys, "createContainer", plan.hooks().createContainer(), plan.hooks().stateJson("creating", sys.getpid()));
            }
            if (plan.rootfs() != null) pivot(plan.rootfs());
            if (plan.hostname() != null) sys.sethostname(plan.hostname());
            if (plan.domainname() != null) sys.setdomainname(plan.domainname());
            // sysctls before /proc/sys turns read-only (runc's order); keys were checked against runc's
            // allow-list when config.json was loaded, and each resolves inside /proc/sys only
            for (var e : plan.sysctl().entrySet()) {
                sys.writeFile(SecureJoin.join(sys, "/proc/sys", SysctlPolicy.procPath(e.getKey())), e.getValue());
            }
            if (plan.rootfs() != null) protectPaths(plan.rootfs());
            for (var l : plan.rlimits()) sys.setrlimit(l.resource(), l.soft(), l.hard());
            if (plan.oomScoreAdj() != null) sys.writeFile("/proc/self/oom_score_adj", plan.oomScoreAdj().toString());
            if (console >= 0) setupConsole(console);
            env = withHome(plan.env());
            exe = lookPath(plan.args().getFirst(), env);
            boolean cwdDone = tryChdir(plan.cwd());
            if (plan.umask() != null) sys.umask(plan.umask());
            if (plan.lsm() != null) applyLsm(plan.lsm());
            if (earlySeccomp()) {
                // Without no_new_privs the filter must go on while we still have CAP_SYS_ADMIN (runc's order);
                // a profile may deny what follows, so everything of ours is marked close-on-exec first
                // (what is opened later is opened O_CLOEXEC)
                sys.closeFromCloexec(3 + plan.preserveFds());
                sys.seccomp(plan.seccomp());
            }
            switchCredentials();
            if (!cwdDone) sys.chdir(plan.cwd());
            applyCapabilities();
            sync.send("ready");
        } catch (RuntimeException e) {
            sync.send("error " + oneLine(e));
            sync.close();
            throw e;
        }
        sync.close();
        int start = -1;
        if (fifo >= 0) {
            // Blocks until `jrunc start` opens the fifo for reading.
            start = sys.open("/proc/self/fd/" + fifo, O_WRONLY | O_CLOEXEC);
            sys.close(fifo);
        }
        if (plan.noNewPrivileges()) sys.prctl(PR_SET_NO_NEW_PRIVS, 1, 0);
        boolean seccompLast = plan.noNewPrivileges() && plan.seccomp().length > 0;
        if (start >= 0) {
            List<Hooks.Hook> hooks = plan.hooks() == null ? List.of() : plan.hooks().startContainer();
            if (!hooks.isEmpty() && seccompLast) {
                sys.seccomp(plan.seccomp()); // runc's order: the hooks run under the container's filter
                seccompLast = false;
            }
            reportStart(start, hooks);
        }
        markCloexec();
        sys.resetSignals();
        if (seccompLast) sys.seccomp(plan.seccomp());
        sys.execve(exe, plan.args(), env);
    }

    /** The labels the execve gives the program (runc: apparmor's change_onexec, selinux's setexeccon), on this thread. */
    private void applyLsm(InitPlan.Lsm lsm) {
        if (lsm.appArmorProfile() != null) {
            String attr = sys.kind("/proc/thread-self/attr/apparmor/exec") != Syscalls.Kind.MISSING
                    ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec";
            sys.writeFile(attr, "exec " + lsm.appArmorProfile());
        }
        if (lsm.selinuxLabel() != null) sys.writeFile("/proc/thread-self/attr/exec", lsm.selinuxLabel());
    }

    private boolean earlySeccomp() { return !plan.noNewPrivileges() && plan.seccomp().length > 0; }

    /**
     * Every fd from 3+preserveFds close-on-exec before the execve. Under a filter installed early that may deny
     * close_range (any profile older than Linux 5.9 with an errno default): fcntl over /proc/self/fd instead,
     * and if the profile denies that too, what was open when the filter went on was marked already.
     */
    private void markCloexec() {
        int from = 3 + plan.preserveFds();
        if (!earlySeccomp()) {
            sys.closeFromCloexec(from);
            return;
        }
        try {
            sys.closeFromCloexec(from);
        } catch (SyscallException denied) {
            try {
                sys.cloexecListedFds(from);
            } catch (SyscallException alsoDenied) {
                // marked before the filter; nothing since was opened without O_CLOEXEC
            }
        }
    }

    /**
     * Runs the startContainer hooks and tells `jrunc start` through the fifo: "0", or the error. After "0" the
     * fd stays open (O_CLOEXEC): execve closes it once this thread is the only one and holds the pid, so
     * `jrunc start` (reading to EOF) returns when /proc/&lt;pid&gt;/ns/mnt is the container's. Until then it is
     * the launch jail's (the JVM's main thread never left it), and an exec joining it found no program there
     * (runc's init leaves its write end to execve the same way).
     */
    private void reportStart(int fifo, List<Hooks.Hook> hooks) {
        try {
            if (!hooks.isEmpty()) HookRunner.run(sys, "startContainer", hooks, plan.hooks().stateJson("created", sys.getpid()));
        } catch (RuntimeException e) {
            sys.write(fifo, "error " + oneLine(e));
            sys.close(fifo);
            throw e;
        }
        sys.write(fifo, "0");
    }

    void prepareRootfs(InitPlan.Rootfs r) {
        sys.mount("", "/", "", r.propagation() != 0 ? r.propagation() : MS_SLAVE | MS_REC, null);
        // runc: pivot_root refuses a new root whose parent mount is shared (rootfsPropagation "shared"/"rshared"),
        // and the bind below would propagate out of the container's namespace from a shared parent
        if ((r.propagation() & MS_SHARED) != 0) {
            int fd = sys.open("/proc/thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
            String mountinfo;
            try {
                mountinfo = new String(sys.readFrom(fd, 4 << 20), java.nio.charset.StandardCharsets.UTF_8);
            } finally {
                sys.close(fd);
            }
            String shared = MountInfo.sharedMountHolding(mountinfo, r.path());
            if (shared != null) sys.mount("", shared, "", MS_PRIVATE, null);
        }
        sys.mount(r.path(), r.path(), "", MS_BIND | MS_REC, null);
        // every destination is opened inside the rootfs and mounted onto through its fd (InRoot)
        try (InRoot root = InRoot.open(sys, r.path())) {
            for (InitPlan.MountStep m : r.mounts()) mount(root, m);
            for (InitPlan.DeviceNode d : r.devices()) createDevice(root, d);
            if (r.defaultDevices()) defaultDevSymlinks(root);
        }
    }

    private void mount(InRoot root, InitPlan.MountStep m) {
        String dest = m.destination();
        switch (m.kind()) {
            case FS -> {
                try (var t = root.directory(dest)) {
                    sys.mount(m.source(), t.path, m.type(), m.flags(), m.data());
                    propagation(t, m);
                }
            }
            case BIND, RBIND -> {
                Syscalls.Kind src = sys.kind(m.source());
                if (src == Syscalls.Kind.MISSING) throw JruncException.invalidArgument("mount source %s for %s does not exist", m.source(), dest);
                long rec = m.kind() == InitPlan.MountStep.Kind.RBIND ? MS_REC : 0;
                try (var t = src == Syscalls.Kind.DIRECTORY ? root.directory(dest) : root.file(dest)) {
                    sys.mount(m.source(), t.path, "", MS_BIND | rec, null);
                    if (m.remountFlags() != 0) {
                        try (var mounted = t.reopen()) {
                            sys.mount(m.source(), mounted.path, "", MS_BIND | MS_REMOUNT | rec | m.remountFlags(), null);
                        }
                    }
                    propagation(t, m);
                }
            }
            case SYMLINK -> root.symlink(m.source(), dest);
            case REMOUNT -> {
                try (var t = existing(root, dest)) {
                    sys.mount("", t.path, "", MS_REMOUNT | m.flags(), m.data());
                    propagation(t, m);
                }
            }
        }
    }

    /** The mount just made on t gets the step's propagation (t itself is the directory under it: reopened). */
    private void propagation(InRoot.Target t, InitPlan.MountStep m) {
        if (m.propagation() == 0) return;
        try (var mounted = t.reopen()) {
            sys.mount("", mounted.path, "", m.propagation(), null);
        }
    }

    private static InRoot.Target existing(InRoot root, String path) {
        InRoot.Target t = root.find(path);
        if (t == null) throw JruncException.invalidArgument("mount destination %s disappeared while it was being mounted", path);
        return t;
    }

    private void createDevice(InRoot root, InitPlan.DeviceNode d) {
        try (var t = root.node(d.path(), d.type() | d.mode(), makedev(d.major(), d.minor()))) {
            if (t == null) return; // something is there already (a bind from the spec, or the rootfs's own node)
            sys.chmod(t.path, d.mode());
            sys.chown(t.path, d.uid(), d.gid());
        } catch (SyscallException e) {
            if (e.errno() != Errno.EPERM) throw e;
            try (var t = root.file(d.path())) {
                sys.mount(d.path(), t.path, "", MS_BIND, null);
            }
        }
    }

    private void defaultDevSymlinks(InRoot root) {
        String[][] links = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
                {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}};
        for (String[] l : links) root.symlink(l[0], "/dev/" + l[1]);
        if (sys.kind("/proc/kcore") != Syscalls.Kind.MISSING) root.symlink("/proc/kcore", "/dev/core");
    }

    void pivot(InitPlan.Rootfs r) {
        if (r.noPivot()) {
            sys.chdir(r.path());
            sys.mount(r.path(), "/", "", MS_MOVE, null);
            sys.chroot(".");
        } else {
            // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
            // no path to the host (runc does the same, no put_old directory needed).
            sys.chdir(r.path());
            sys.pivotRoot(".", ".");
            sys.mount("", ".", "", MS_SLAVE | MS_REC, null);
            sys.umount2(".", MNT_DETACH);
        }
        sys.chdir("/");
    }

    /**
     * Read-only paths, masked paths, then the read-only root. Each path is opened inside the new root and
     * mounted onto through its fd; files are masked with the container's /dev/null only once it was
     * verified (opened once, O_PATH) to be the null device, directories with a read-only tmpfs (runc).
     */
    void protectPaths(InitPlan.Rootfs r) {
        if (!r.readonlyPaths().isEmpty() || !r.maskedPaths().isEmpty()) {
            try (InRoot root = InRoot.open(sys, "/")) {
                for (String p : r.readonlyPaths()) readonly(root, p);
                InRoot.Target devNull = null;
                try {
                    for (String p : r.maskedPaths()) {
                        try (InRoot.Target t = root.find(p)) {
                            if (t == null) continue;
                            if (t.stat().isDirectory()) {
                                sys.mount("tmpfs", t.path, "tmpfs", MS_RDONLY, null);
                            } else {
                                if (devNull == null) devNull = nullDevice(root, p);
                                sys.mount(devNull.path, t.path, "", MS_BIND, null);
                            }
                        }
                    }
                } finally {
                    if (devNull != null) devNull.close();
                }
            }
        }
        if (r.readonly()) sys.mount("", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY, null);
    }

    private void readonly(InRoot root, String p) {
        try (InRoot.Target t = root.find(p)) {
            if (t == null) return;
            sys.mount(t.path, t.path, "", MS_BIND | MS_REC, null);
            try (InRoot.Target mounted = t.reopen()) {
                sys.mount("", mounted.path, "", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, null);
            }
        }
    }

    /** The container's /dev/null, opened once; refused unless it is the null device (character device 1:3). */
    private InRoot.Target nullDevice(InRoot root, String masking) {
        InRoot.Target t = root.find("/dev/null");
        if (t == null) throw JruncException.invalidArgument("maskedPaths: the container has no /dev/null to mask %s with", masking);
        FileStat st = t.stat();
        if (!st.isCharDevice() || st.major() != 1 || st.minor() != 3) {
            t.close();
            throw JruncException.invalidArgument("maskedPaths: /dev/null in the container is %s, not the null device (character device 1:3);"
                    + " refusing to mask %s with it (a mount in the spec or the rootfs replaced /dev/null)", st.describe(), masking);
        }
        return t;
    }

    private void setupConsole(int socket) {
        int[] pty = sys.openPty();
        // runc sizes the pty before the master leaves (libcontainer's setupConsole): a program that asks at
        // once (a shell's first prompt, `stty size`) sees the size, not 0x0, whoever resizes later
        if (plan.consoleSize() != null) sys.setWindowSize(pty[0], plan.consoleSize().height(), plan.consoleSize().width());
        sys.sendFd(socket, pty[0], "/dev/ptmx");
        sys.close(pty[0]);
        sys.close(socket);
        sys.becomeTerminalSession(pty[1]);
    }

    private boolean tryChdir(String cwd) {
        try {
            sys.chdir(cwd == null ? "/" : cwd);
            return true;
        } catch (SyscallException e) {
            return false; // may need the container user's permissions; retried after setresuid
        }
    }

    private void switchCredentials() {
        if (plan.caps() != null) {
            int last = CapabilityNames.lastCap();
            for (int cap = 0; cap <= last; cap++) {
                if ((plan.caps().bounding() & (1L << cap)) == 0) sys.prctl(PR_CAPBSET_DROP, cap, 0);
            }
        }
        sys.prctl(PR_SET_KEEPCAPS, 1, 0);
        sys.setgroups(plan.additionalGids());
        sys.setresgid(plan.gid());
        sys.setresuid(plan.uid());
        sys.prctl(PR_SET_KEEPCAPS, 0, 0);
    }

    private void applyCapabilities() {
        InitPlan.CapSets c = plan.caps();
        if (c == null) return;
        sys.capset(c.effective(), c.permitted(), c.inheritable());
        sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0);
        // the kernel raises an ambient cap only when it is permitted and inheritable; like runc, others
        // are ignored (skipped here rather than failing, so no exception on the usual path)
        long raisable = c.ambient() & c.permitted() & c.inheritable();
        for (int cap = 0; cap < 64; cap++) {
            if ((raisable & (1L << cap)) != 0) {
                try {
                    sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
                } catch (SyscallException e) {
                    // like runc: an ambient cap not in permitted+inheritable is ignored
                }
            }
        }
    }

    /**
     * runc: without HOME in the spec's env the process gets the home directory of its uid from the
     * container's /etc/passwd, or "/".
     */
    List<String> withHome(List<String> env) {
        for (String e : env) if (e.startsWith("HOME=")) return env;
        String home = "/";
        if (sys.kind("/etc/passwd") == Syscalls.Kind.FILE) {
            int fd = sys.open("/etc/passwd", O_RDONLY | O_CLOEXEC);
            try {
                String uid = Long.toString(plan.uid());
                for (String line : new String(sys.readFrom(fd, 1 << 20), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    String[] f = line.split(":", -1);
                    if (f.length >= 7 && f[2].equals(uid) && !f[5].isEmpty()) {
                        home = f[5];
                        break;
                    }
                }
            } finally {
                sys.close(fd);
            }
        }
        List<String> with = new java.util.ArrayList<>(env);
        with.add("HOME=" + home);
        return with;
    }

    /** Resolves the program the way execvp would, inside the container's root. */
    String lookPath(String name, List<String> env) {
        if (name.contains("/")) {
            if (sys.kind(name) == Syscalls.Kind.MISSING) throw JruncException.notFound("exec: %s: no such file or directory", name);
            return name;
        }
        String path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (String e : env) if (e.startsWith("PATH=")) path = e.substring(5);
        for (String dir : path.split(":")) {
            String candidate = (dir.isEmpty() ? "." : dir) + "/" + name;
            Syscalls.Kind k = sys.kind(candidate);
            if (k == Syscalls.Kind.FILE || k == Syscalls.Kind.SYMLINK) return candidate;
        }
        throw JruncException.notFound("exec: \"%s\": executable file not found in $PATH", name);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }

}
