package io.jcontainerd.runtime.container;

import java.io.IOException;

/** /proc/PID/stat: the start time (to tell a live init from a reused pid) and the state letter. */
public final class ProcStat {
    private ProcStat() {}

    /** Start time in clock ticks since boot, or -1 if the process is gone. */
    public static long startTime(int pid) {
        String[] f = fields(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /** True if pid is alive (not a zombie) and started at startTime. */
    public static boolean alive(int pid, long startTime) {
        String[] f = fields(pid);
        if (f == null) return false;
        if (startTime > 0 && Long.parseLong(f[19]) != startTime) return false;
        if (!dead(f)) return true;
        // The init stage's JVM execs from a thread other than its first: until the kernel has handed
        // the pid to the exec'ing thread, the pid shows the first thread, already a zombie. Alive
        // while any of its threads is (state once said "stopped" for a container that had just started).
        String[] threads = new java.io.File("/proc/" + pid + "/task").list();
        if (threads == null) return false;
        for (String t : threads) {
            String[] tf = fields("/proc/" + pid + "/task/" + t + "/stat");
            if (tf != null && !dead(tf)) return true;
        }
        return false;
    }

    private static boolean dead(String[] f) { return f[0].equals("Z") || f[0].equals("X"); }

    private static String[] fields(int pid) { return pid <= 0 ? null : fields("/proc/" + pid + "/stat"); }

    /** Fields after "(comm)", so index 0 is the state (field 3 of proc(5)). */
    private static String[] fields(String statFile) {
        try {
            String s;
            try (var in = new java.io.FileInputStream(statFile)) {
                s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
