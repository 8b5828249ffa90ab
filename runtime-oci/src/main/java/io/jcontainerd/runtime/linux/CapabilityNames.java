package io.jcontainerd.runtime.linux;


import java.util.Collection;
import java.util.List;

/** CAP_* names to bit numbers, in the kernel's order. */
public final class CapabilityNames {
    public static final List<String> ALL = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    private CapabilityNames() {}

    /** The highest capability this kernel knows, from /proc/sys/kernel/cap_last_cap. */
    public static int lastCap() {
        try {
            // not Files.readString: on /proc/sys files (size 0) it returns a truncated value ("4" for "40")
            try (var in = new java.io.FileInputStream("/proc/sys/kernel/cap_last_cap")) {
                return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return ALL.size() - 1;
        }
    }

    /**
     * The bits of the named capabilities. Names this kernel does not know (not in the list, or above
     * cap_last_cap) are left out and added to ignored: runtime-spec wants a warning, not a failure, for
     * capabilities that cannot be granted (runc 1.1.5: "ignoring unknown or unavailable capabilities").
     */
    public static long mask(Collection<String> names, int lastCap, Collection<String> ignored) {
        long m = 0;
        for (String n : names) {
            int bit = ALL.indexOf(n.startsWith("CAP_") ? n : "CAP_" + n);
            if (bit < 0 || bit > lastCap) ignored.add(n);
            else m |= 1L << bit;
        }
        return m;
    }
}
