package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A pod's pause process as the daemon saw it start: its host pid and its start time (clock ticks since
 * boot, field 22 of /proc/PID/stat), which tells it from a later process given the same pid. Whether
 * the pod is ready is then read from /proc, as containerd's CRI answers from its own memory, instead of
 * a State call to the shim (3-50 ms a hop at load 10) on each CreateContainer, StartContainer and
 * PodSandboxStatus.
 */
record PauseProcess(int pid, long startTime) {
    /** /proc/PID/stat is one line of 52 fields; a comm of 16 bytes at most keeps it far below this. */
    private static final int MAX_STAT_BYTES = 4096;

    /** The process {@code pid} now; empty when there is none. */
    static Optional<PauseProcess> of(int pid) {
        return stat(pid).filter(f -> !dead(f)).map(f -> new PauseProcess(pid, Long.parseLong(f[19])));
    }

    /** True while the same process runs: its pid is there, not a zombie, with the start time it had. */
    boolean alive() {
        return stat(pid).filter(f -> !dead(f) && Long.parseLong(f[19]) == startTime).isPresent();
    }

    private static boolean dead(String[] f) {
        return f[0].equals("Z") || f[0].equals("X");
    }

    /** The fields after "(comm)" (index 0 is the state, field 3 of proc(5)); empty when the process is gone or the line unreadable. */
    private static Optional<String[]> stat(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "stat"));
            if (b.length > MAX_STAT_BYTES) {
                return Optional.empty();
            }
            String s = new String(b, StandardCharsets.US_ASCII);
            int close = s.lastIndexOf(')');
            String[] f = close < 0 || close + 2 > s.length() ? new String[0] : s.substring(close + 2).split(" ");
            return f.length > 19 && f[19].chars().allMatch(Character::isDigit) && !f[19].isEmpty() ? Optional.of(f) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // gone
        }
    }
}
