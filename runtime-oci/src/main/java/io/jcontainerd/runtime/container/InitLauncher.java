package io.jcontainerd.runtime.container;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.FdChannel;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
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

    public InitLauncher(Syscalls sys, InitCommand command) {
        this.sys = sys;
        this.command = command;
    }

    /**
     * @param unshareFlags CLONE_NEW* flags for namespaces to create (CLONE_NEWNS is always done)
     * @param joins        namespace file → CLONE_NEW* type, joined before spawning
     * @param preserveFds  fds 3..3+n-1 that the container inherits
     */
    public Launched launch(int unshareFlags, Map<String, Integer> joins, int preserveFds) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("jrunc-spawn").unstarted(() -> {
            try {
                result.set(spawnOnThisThread(unshareFlags, joins, preserveFds));
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

    private Launched spawnOnThisThread(int unshareFlags, Map<String, Integer> joins, int preserveFds) {
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
        Memory fa = new Memory(512), attr = new Memory(1024), empty = new Memory(128), full = new Memory(128);
        fa.clear();
        attr.clear();
        try {
            c.posix_spawn_file_actions_init(fa);
            c.posix_spawn_file_actions_adddup2(fa, pair[1], childFd);
            c.posix_spawn_file_actions_addclosefrom_np(fa, childFd + 1);
            c.posix_spawnattr_init(attr);
            c.sigemptyset(empty);
            c.sigfillset(full);
            c.posix_spawnattr_setsigmask(attr, empty);
            c.posix_spawnattr_setsigdefault(attr, full);
            c.posix_spawnattr_setflags(attr, (short) (0x04 /* SETSIGDEF */ | 0x08 /* SETSIGMASK */));
            List<String> argv = command.argv(childFd);
            int[] pid = new int[1];
            int rc = c.posix_spawn(pid, argv.getFirst(), fa, attr, argv.toArray(String[]::new), new String[] {"LANG=C"});
            if (rc != 0) throw JruncException.system("posix_spawn %s: errno %d", argv.getFirst(), rc);
            return new Launched(pid[0], new FdChannel(pair[0]));
        } finally {
            c.close(pair[1]);
            c.posix_spawn_file_actions_destroy(fa);
            c.posix_spawnattr_destroy(attr);
        }
    }

    public static InitLauncher real() { return new InitLauncher(new JnaSyscalls(), InitCommand.current()); }
}
