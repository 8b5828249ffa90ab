package io.jcontainerd.shim.task;

import io.jcontainerd.api.types.Mount;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.linux.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mounts the rootfs a Create request names onto {@code <bundle>/rootfs}, in order (as containerd's
 * shim does), and takes them down at Delete. Mount options that are flags become flags; the rest
 * is passed to the filesystem as data.
 */
final class RootfsMounts {
    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final long MS_NOEXEC = 8;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final Map<String, Long> FLAGS = Map.of(
            "ro", MS_RDONLY, "nosuid", MS_NOSUID, "nodev", MS_NODEV, "noexec", MS_NOEXEC,
            "bind", MS_BIND, "rbind", MS_BIND | MS_REC);
    private static final List<String> NO_OP = List.of("rw", "suid", "dev", "exec", "defaults");

    private RootfsMounts() {
    }

    /** Mounts every entry on {@code <bundle>/rootfs}; returns how many are mounted. */
    static int mount(ShimSyscalls sys, Path bundle, List<Mount> mounts) {
        if (mounts.isEmpty()) {
            return 0;
        }
        Path target = bundle.resolve("rootfs");
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot create %s: %s", target, e.getMessage());
        }
        int done = 0;
        try {
            for (Mount m : mounts) {
                long flags = 0;
                List<String> data = new ArrayList<>();
                for (String option : m.getOptionsList()) {
                    Long flag = FLAGS.get(option);
                    if (flag != null) {
                        flags |= flag;
                    } else if (!NO_OP.contains(option)) {
                        data.add(option);
                    }
                }
                sys.mount(m.getSource(), target.toString(), m.getType(), flags, String.join(",", data));
                done++;
            }
            return done;
        } catch (SyscallException e) {
            unmount(sys, bundle, done);
            throw JcdException.failedPrecondition("cannot mount the rootfs of %s: %s", bundle, e.getMessage());
        }
    }

    static void unmount(ShimSyscalls sys, Path bundle, int count) {
        String target = bundle.resolve("rootfs").toString();
        for (int i = 0; i < count; i++) {
            if (!sys.unmountDetached(target)) {
                return;
            }
        }
    }
}
