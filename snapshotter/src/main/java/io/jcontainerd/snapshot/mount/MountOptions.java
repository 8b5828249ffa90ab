package io.jcontainerd.snapshot.mount;

import io.jcontainerd.snapshot.linux.Syscalls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits mount options into mount(2) flags and the filesystem's data string, as containerd's
 * mount_linux.go parseMountOptions does.
 */
public record MountOptions(long flags, boolean bind, boolean readOnly, String data) {

    private record Flag(boolean clear, long bits) {
    }

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("ro", new Flag(false, Syscalls.MS_RDONLY)),
            Map.entry("rw", new Flag(true, Syscalls.MS_RDONLY)),
            Map.entry("nosuid", new Flag(false, Syscalls.MS_NOSUID)),
            Map.entry("suid", new Flag(true, Syscalls.MS_NOSUID)),
            Map.entry("nodev", new Flag(false, Syscalls.MS_NODEV)),
            Map.entry("dev", new Flag(true, Syscalls.MS_NODEV)),
            Map.entry("noexec", new Flag(false, Syscalls.MS_NOEXEC)),
            Map.entry("exec", new Flag(true, Syscalls.MS_NOEXEC)),
            Map.entry("noatime", new Flag(false, Syscalls.MS_NOATIME)),
            Map.entry("nodiratime", new Flag(false, Syscalls.MS_NODIRATIME)),
            Map.entry("relatime", new Flag(false, Syscalls.MS_RELATIME)),
            Map.entry("bind", new Flag(false, Syscalls.MS_BIND)),
            Map.entry("rbind", new Flag(false, Syscalls.MS_BIND | Syscalls.MS_REC)),
            Map.entry("remount", new Flag(false, Syscalls.MS_REMOUNT)));

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String option : options) {
            Flag f = FLAGS.get(option);
            if (f == null) {
                data.add(option);
            } else if (f.clear()) {
                flags &= ~f.bits();
            } else {
                flags |= f.bits();
            }
        }
        return new MountOptions(flags, (flags & Syscalls.MS_BIND) != 0, (flags & Syscalls.MS_RDONLY) != 0,
                String.join(",", data));
    }
}
