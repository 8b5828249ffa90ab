package io.jcontainerd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.jcontainerd.runtime.JruncException;

import java.util.ArrayList;
import java.util.List;

/**
 * posix_spawn(3) with the child's descriptors named explicitly: fd {@code i} of the child is fd
 * {@code fds[i]} of the caller, every descriptor from {@code fds.length} on is closed, the signal
 * mask is empty and every disposition is the default. An entry equal to its index is inherited as it
 * is (so a caller passing 0, 1, 2 keeps its own stdio, open or not).
 */
public final class PosixSpawn {
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 on x86_64. */
    private static final int ACTIONS_BYTES = 512, ATTR_BYTES = 1024, SIGSET_BYTES = 128;

    private PosixSpawn() {}

    /** Returns the child's pid. */
    public static int spawn(List<String> argv, List<String> env, int[] fds) {
        return spawn(argv.getFirst(), argv, env, fds);
    }

    /** Runs {@code path} with {@code argv} as it is (argv[0] need not be the path, as execve allows). */
    public static int spawn(String path, List<String> argv, List<String> env, int[] fds) {
        LibC c = LibC.INSTANCE;
        List<Integer> moved = new ArrayList<>();
        Memory fa = new Memory(ACTIONS_BYTES), attr = new Memory(ATTR_BYTES), empty = new Memory(SIGSET_BYTES),
                full = new Memory(SIGSET_BYTES);
        fa.clear();
        attr.clear();
        c.posix_spawn_file_actions_init(fa);
        c.posix_spawnattr_init(attr);
        try {
            for (int target = 0; target < fds.length; target++) {
                int source = fds[target];
                if (source == target) continue;
                if (source < fds.length) {
                    // a lower target would be overwritten before this one reads it: copy it out of the way first
                    int copy = c.fcntl(source, F_DUPFD_CLOEXEC, fds.length);
                    if (copy < 0) throw JruncException.system("cannot pass fd %d to the child as fd %d: errno %d", source, target, Native.getLastError());
                    moved.add(copy);
                    source = copy;
                }
                c.posix_spawn_file_actions_adddup2(fa, source, target);
            }
            c.posix_spawn_file_actions_addclosefrom_np(fa, fds.length);
            c.sigemptyset(empty);
            c.sigfillset(full);
            c.posix_spawnattr_setsigmask(attr, empty);
            c.posix_spawnattr_setsigdefault(attr, full);
            c.posix_spawnattr_setflags(attr, (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
            int[] pid = new int[1];
            int rc = c.posix_spawn(pid, path, fa, attr, argv.toArray(String[]::new), env.toArray(String[]::new));
            if (rc != 0) throw JruncException.system("posix_spawn %s: errno %d", path, rc);
            return pid[0];
        } finally {
            c.posix_spawn_file_actions_destroy(fa);
            c.posix_spawnattr_destroy(attr);
            moved.forEach(c::close);
        }
    }
}
