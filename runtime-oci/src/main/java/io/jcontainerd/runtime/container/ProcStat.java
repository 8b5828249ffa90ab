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
        if (f[0].equals("Z") || f[0].equals("X")) return false;
        return startTime <= 0 || Long.parseLong(f[19]) == startTime;
    }

    /** Fields after "(comm)", so index 0 is the state (field 3 of proc(5)). */
    private static String[] fields(int pid) {
        if (pid <= 0) return null;
        try {
            String s;
            try (var in = new java.io.FileInputStream("/proc/" + pid + "/stat")) {
                s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
