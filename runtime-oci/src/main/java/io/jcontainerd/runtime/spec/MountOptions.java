package io.jcontainerd.runtime.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Translates mount(8)-style option strings into mount(2) flags, propagation flags and data. */
public record MountOptions(long flags, long clearFlags, long propagation, boolean recursiveBind, String data) {
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
            MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_UNBINDABLE = 1 << 17,
            MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21,
            MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    private static final Map<String, Long> SET = Map.ofEntries(
            Map.entry("ro", MS_RDONLY), Map.entry("nosuid", MS_NOSUID), Map.entry("nodev", MS_NODEV),
            Map.entry("noexec", MS_NOEXEC), Map.entry("sync", MS_SYNCHRONOUS), Map.entry("dirsync", MS_DIRSYNC),
            Map.entry("mand", MS_MANDLOCK), Map.entry("noatime", MS_NOATIME), Map.entry("nodiratime", MS_NODIRATIME),
            Map.entry("relatime", MS_RELATIME), Map.entry("strictatime", MS_STRICTATIME), Map.entry("lazytime", MS_LAZYTIME),
            Map.entry("remount", MS_REMOUNT), Map.entry("nosymfollow", MS_NOSYMFOLLOW));
    private static final Map<String, Long> CLEAR = Map.ofEntries(
            Map.entry("rw", MS_RDONLY), Map.entry("suid", MS_NOSUID), Map.entry("dev", MS_NODEV),
            Map.entry("exec", MS_NOEXEC), Map.entry("async", MS_SYNCHRONOUS), Map.entry("nomand", MS_MANDLOCK),
            Map.entry("atime", MS_NOATIME), Map.entry("diratime", MS_NODIRATIME), Map.entry("norelatime", MS_RELATIME),
            Map.entry("nostrictatime", MS_STRICTATIME), Map.entry("defaults", 0L));

    public static MountOptions parse(List<String> options) {
        long flags = 0, clear = 0, prop = 0;
        boolean bind = false, rbind = false;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            if (SET.containsKey(o)) { flags |= SET.get(o); clear &= ~SET.get(o); }
            else if (CLEAR.containsKey(o)) { clear |= CLEAR.get(o); flags &= ~CLEAR.get(o); }
            else if (o.equals("bind")) bind = true;
            else if (o.equals("rbind")) rbind = true;
            else if (propagation(o) != 0) prop = propagation(o);
            else data.add(o);
        }
        if (bind || rbind) flags |= MS_BIND;
        return new MountOptions(flags, clear, prop, rbind, String.join(",", data));
    }

    public boolean isBind() { return (flags & MS_BIND) != 0; }

    /** Flags that need a second, remount pass for bind mounts (the kernel ignores them on the first). */
    public long remountFlags() {
        return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW);
    }

    public static long propagation(String name) {
        return switch (name) {
            case "shared" -> MS_SHARED;
            case "rshared" -> MS_SHARED | MS_REC;
            case "slave" -> MS_SLAVE;
            case "rslave" -> MS_SLAVE | MS_REC;
            case "private" -> MS_PRIVATE;
            case "rprivate" -> MS_PRIVATE | MS_REC;
            case "unbindable" -> MS_UNBINDABLE;
            case "runbindable" -> MS_UNBINDABLE | MS_REC;
            default -> 0;
        };
    }
}
