package io.jcontainerd.supervisor.cri;

import java.util.Map;
import java.util.Optional;

/** Stop signals by name ("SIGTERM", "TERM", "15"), as images and the CRI give them (Linux x86-64/arm64 numbers). */
final class Signals {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3),
            Map.entry("ILL", 4), Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13),
            Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22),
            Map.entry("URG", 23), Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31),
            Map.entry("RTMIN", 34), Map.entry("RTMAX", 64));

    private Signals() {
    }

    static Optional<Integer> number(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        if (name.matches("\\d{1,2}")) {
            int n = Integer.parseInt(name);
            return n >= 1 && n <= 64 ? Optional.of(n) : Optional.empty();
        }
        String n = name.startsWith("SIG") ? name.substring(3) : name;
        return Optional.ofNullable(NUMBERS.get(n));
    }
}
