package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.JruncException;

import java.util.List;
import java.util.Locale;

/** Signal names and numbers as `kill` accepts them (KILL, SIGKILL, 9, and 0 as runc does). */
public final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private Signals() {}

    public static int parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(t);
            if (n >= 0 && n <= 64) return n; // 0: only checks that the process exists (runc accepts it)
        }
        if (t.startsWith("SIG")) t = t.substring(3);
        if (t.equals("IOT")) return 6;
        if (t.equals("POLL")) return 29;
        int i = NAMES.indexOf(t);
        if (i > 0) return i;
        if (t.startsWith("RTMIN")) return 34 + offset(t.substring(5), s);
        if (t.startsWith("RTMAX")) return 64 + offset(t.substring(5), s);
        throw JruncException.invalidArgument("unknown signal %s: use a name like TERM or KILL, or a number 0-64", s);
    }

    private static int offset(String rest, String original) {
        if (rest.isEmpty()) return 0;
        try {
            return Integer.parseInt(rest);
        } catch (NumberFormatException e) {
            throw JruncException.invalidArgument("unknown signal %s", original);
        }
    }
}
