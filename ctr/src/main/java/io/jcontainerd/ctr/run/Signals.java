package io.jcontainerd.ctr.run;

import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers, as {@code kill -s} and images' StopSignal spell them. */
public final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private Signals() {
    }

    /** "SIGKILL", "KILL", "kill" or "9" → 9. */
    public static int parse(String s) {
        String n = s.strip().toUpperCase(Locale.ROOT);
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
            int v = Integer.parseInt(n);
            if (v > 0 && v <= 64) {
                return v;
            }
        }
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (n.equals("IOT")) {
            return 6;
        }
        if (n.startsWith("RTMIN")) {
            return 34 + (n.length() > 5 ? Integer.parseInt(n.substring(5)) : 0);
        }
        int i = NAMES.indexOf(n);
        if (i <= 0) {
            throw new RunException("unknown signal " + s + ": give a name like SIGTERM or a number 1-64");
        }
        return i;
    }
}
