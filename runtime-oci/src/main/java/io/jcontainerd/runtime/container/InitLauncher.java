package io.jcontainerd.runtime.container;

import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.FdChannel;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.PosixSpawn;
import io.jcontainerd.runtime.linux.Syscalls;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.jcontainerd.runtime.spec.MountOptions.*;

/**
 * Starts the init stage JVM inside new (or joined) namespaces without forking the JVM: a dedicated
 * thread unshares/joins the namespaces (they are per-thread, except user) and posix_spawn()s from
 * that thread, so the child is born in them, PID 1 of a new pid namespace. Before that the thread
 * makes its mount namespace private and re-mounts the JDK and jrunc's jars read-only in it, so the
 * container can never write to what /proc/&lt;init&gt;/exe or the init's mapped jars point at.
 */
public final class InitLauncher {
    public record Launched(int pid, FdChannel channel) {}

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
        AtomicReference<Object> result = new AtomicReference<>();
        // a fresh thread each time: the namespaces it unshares and joins die with it
        Thread t = Thread.ofPlatform().name("jrunc-spawn").unstarted(() -> {
            try {
                result.set(spawnOnThisThread(unshareFlags, joins, preserveFds, stdio));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JruncException.system("interrupted while starting the init stage");
        }
        if (result.get() instanceof RuntimeException e) throw e;
        if (result.get() instanceof Throwable e) throw JruncException.system("cannot start the init stage: %s", e);
        return (Launched) result.get();
    }

    private Launched spawnOnThisThread(int unshareFlags, Map<String, Integer> joins, int preserveFds, StdioFds stdio) {
        sys.unshare(LinuxConstants.CLONE_NEWNS);
        sys.mount("", "/", "", MS_SLAVE | MS_REC, null);
        for (Path dir : command.readOnlyDirs()) {
            String d = dir.toString();
            sys.mount(d, d, "", MS_BIND | MS_REC, null);
            sys.mount("", d, "", MS_BIND | MS_REMOUNT | MS_RDONLY, null);
        }
        for (var j : joins.entrySet()) sys.setns(j.getKey(), j.getValue());
        if (unshareFlags != 0) sys.unshare(unshareFlags);

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
            List<String> argv = command.argv(childFd);
            int pid = children.spawn(() -> PosixSpawn.spawn(argv, List.of("LANG=C"), fds));
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
