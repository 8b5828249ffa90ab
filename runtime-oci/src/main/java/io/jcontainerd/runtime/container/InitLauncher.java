package io.jcontainerd.runtime.container;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.FdChannel;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Errno;
import io.jcontainerd.runtime.linux.PosixSpawn;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.jcontainerd.runtime.spec.MountOptions.*;

/**
 * Starts the init stage JVM inside new (or joined) namespaces without forking the JVM: a dedicated
 * thread unshares/joins the namespaces (they are per-thread, except user) and posix_spawn()s from
 * that thread, so the child is born in them, PID 1 of a new pid namespace. Before that the thread
 * joins the {@link LaunchJail} mount namespace: the child's root and cwd are a read-only tree holding
 * only the JDK, jrunc's jars and the system libraries, never the host's, while its JVM boots (in the
 * container's pid namespace for an exec or a create that joins one). Its exec thread then joins the
 * mount namespace it runs the plan in, which comes as an fd with the plan ({@link #mountNamespace} for
 * a create; the container's for an exec).
 */
public final class InitLauncher {
    public record Launched(int pid, FdChannel channel) {}

    /** The namespaces a spare init stage is born in (and a mount namespace): what a container usually asks for. */
    public static final int SPARE_NAMESPACES = LinuxConstants.CLONE_NEWPID | LinuxConstants.CLONE_NEWUTS
            | LinuxConstants.CLONE_NEWIPC | LinuxConstants.CLONE_NEWNET;

    private final Syscalls sys;
    private final InitCommand command;
    private final Children children;

    public InitLauncher(Syscalls sys, InitCommand command, Children children) {
        this.sys = sys;
        this.command = command;
        this.children = children;
    }

    /** The init stage with this process's own stdio (the jrunc command). */
    public Launched launch(int unshareFlags, Map<String, Integer> joins, int preserveFds) {
        return launch(unshareFlags, joins, preserveFds, StdioFds.INHERITED);
    }

    /**
     * @param unshareFlags CLONE_NEW* flags for namespaces to create (CLONE_NEWNS is always done)
     * @param joins        namespace file → CLONE_NEW* type, joined before spawning
     * @param preserveFds  fds 3..3+n-1 that the container inherits
     * @param stdio        what the init stage (and so the container's process) gets as fds 0, 1 and 2
     */
    public Launched launch(int unshareFlags, Map<String, Integer> joins, int preserveFds, StdioFds stdio) {
        int jail = LaunchJail.fd(sys, command);
        return onOwnThread("start the init stage", () -> {
            // opened while host paths resolve, joined from inside the jail
            Map<Integer, Map.Entry<String, Integer>> nsFds = new LinkedHashMap<>();
            try {
                for (var j : joins.entrySet()) nsFds.put(sys.open(j.getKey(), LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC), j);
                enterJail(jail);
                for (var j : nsFds.entrySet()) join(j.getKey(), j.getValue());
                if (unshareFlags != 0) sys.unshare(unshareFlags);
                return spawnOnThisThread(preserveFds, stdio, false);
            } finally {
                nsFds.keySet().forEach(sys::close);
            }
        });
    }

    /**
     * A spare init stage (see {@link SpareInit}): born in new {@link #SPARE_NAMESPACES} and a private
     * mount namespace, its stdio /dev/null; it boots and waits for its stdio and the container's mount
     * namespace ({@link #mountNamespace}) before it reads its plan.
     */
    public Launched launchSpare() {
        return launchSpare(SPARE_NAMESPACES, Map.of());
    }

    /** A spare init stage born in {@code joins} (namespace file → CLONE_NEW* type) and new {@code unshareFlags}. */
    public Launched launchSpare(int unshareFlags, Map<String, Integer> joins) {
        int jail = LaunchJail.fd(sys, command);
        return onOwnThread("start a spare init stage", () -> {
            Map<Integer, Map.Entry<String, Integer>> nsFds = new LinkedHashMap<>();
            int devNull = LibC.INSTANCE.open("/dev/null", LinuxConstants.O_RDWR | LinuxConstants.O_CLOEXEC, 0);
            if (devNull < 0) throw JruncException.system("cannot open /dev/null: errno %d", Native.getLastError());
            try {
                for (var j : joins.entrySet()) nsFds.put(sys.open(j.getKey(), LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC), j);
                enterJail(jail);
                for (var j : nsFds.entrySet()) join(j.getKey(), j.getValue());
                if (unshareFlags != 0) sys.unshare(unshareFlags);
                return spawnOnThisThread(0, new StdioFds(devNull, devNull, devNull), true);
            } finally {
                LibC.INSTANCE.close(devNull);
                nsFds.keySet().forEach(sys::close);
            }
        });
    }

    /**
     * An fd of a new mount namespace where a create's init stage sets the container up (a slave copy of
     * this process's, the JDK and jrunc's jars read-only), copied now, after the rootfs was mounted (the
     * host's mounts need not propagate into it). It goes to the init stage with the plan.
     */
    public int mountNamespace() {
        return onOwnThread("prepare a mount namespace", () -> {
            privateMountNamespace();
            int fd = LibC.INSTANCE.open("/proc/thread-self/ns/mnt", LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC, 0);
            if (fd < 0) throw JruncException.system("cannot open /proc/thread-self/ns/mnt: errno %d", Native.getLastError());
            return fd; // the open fd keeps the namespace alive after the thread is gone
        });
    }

    /** This thread into the namespace {@code fd}, opened from {@code join} (its file → CLONE_NEW* type); EINVAL says which file is not such a namespace. */
    private void join(int fd, Map.Entry<String, Integer> join) {
        try {
            sys.setns(fd, join.getValue());
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            String type = namespaceType(join.getValue());
            throw JruncException.invalidArgument("linux.namespaces: %s is not a %s namespace (setns: invalid argument); give a namespace "
                    + "file of that type, such as /proc/<pid>/ns/%s or a bind mount of one", join.getKey(), type, LinuxConstants.procNsName(type));
        }
    }

    private static String namespaceType(int flag) {
        return switch (flag) {
            case LinuxConstants.CLONE_NEWNET -> "network";
            case LinuxConstants.CLONE_NEWPID -> "pid";
            case LinuxConstants.CLONE_NEWIPC -> "ipc";
            case LinuxConstants.CLONE_NEWUTS -> "uts";
            case LinuxConstants.CLONE_NEWCGROUP -> "cgroup";
            case LinuxConstants.CLONE_NEWNS -> "mount";
            case LinuxConstants.CLONE_NEWUSER -> "user";
            default -> "0x" + Integer.toHexString(flag);
        };
    }

    /** This thread (which must not be one the JVM shares its fs_struct with) into the jail: root and cwd its top. */
    private void enterJail(int jail) {
        sys.unshare(LinuxConstants.CLONE_FS);
        sys.setns(jail, LinuxConstants.CLONE_NEWNS);
    }

    /** Runs {@code body} on a fresh platform thread: the namespaces it unshares and joins die with it. */
    static <T> T onOwnThread(String what, java.util.function.Supplier<T> body) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("jrunc-spawn").unstarted(() -> {
            try {
                result.set(body.get());
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JruncException.system("interrupted while trying to %s", what);
        }
        if (result.get() instanceof RuntimeException e) throw e;
        if (result.get() instanceof Throwable e) throw JruncException.system("cannot %s: %s", what, e);
        @SuppressWarnings("unchecked") T value = (T) result.get();
        return value;
    }

    /** This thread's own mount namespace: a slave of the host's, with the JDK and jrunc's jars read-only. */
    private void privateMountNamespace() {
        sys.unshare(LinuxConstants.CLONE_NEWNS);
        sys.mount("", "/", "", MS_SLAVE | MS_REC, null);
        for (Path dir : command.readOnlyDirs()) {
            String d = dir.toString();
            sys.mount(d, d, "", MS_BIND | MS_REC, null);
            sys.mount("", d, "", MS_BIND | MS_REMOUNT | MS_RDONLY, null);
        }
    }

    private Launched spawnOnThisThread(int preserveFds, StdioFds stdio, boolean spare) {
        LibC c = LibC.INSTANCE;
        int[] pair = new int[2];
        if (c.socketpair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | LinuxConstants.O_CLOEXEC, 0, pair) < 0) {
            throw JruncException.system("socketpair: errno %d", Native.getLastError());
        }
        int childFd = 3 + preserveFds;
        int[] fds = new int[childFd + 1];
        for (int i = 0; i < fds.length; i++) fds[i] = i; // preserved fds are inherited as they are
        fds[0] = stdio.stdin();
        fds[1] = stdio.stdout();
        fds[2] = stdio.stderr();
        fds[childFd] = pair[1];
        try {
            List<String> argv = command.launcherArgv(childFd, spare);
            int pid = children.spawn(() -> PosixSpawn.spawn(command.launcher(), argv, List.of("LANG=C"), fds));
            return new Launched(pid, new FdChannel(pair[0]));
        } catch (RuntimeException e) {
            c.close(pair[0]);
            throw e;
        } finally {
            c.close(pair[1]);
        }
    }

    public static InitLauncher real() { return new InitLauncher(new JnaSyscalls(), InitCommand.current(), Children.own()); }
}
