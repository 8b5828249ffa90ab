package io.jcontainerd.snapshot.mount;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.Mount;
import io.jcontainerd.snapshot.linux.ErrnoException;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link Mounter} calling mount(2)/umount2(2); needs CAP_SYS_ADMIN. */
final class LinuxMounter implements Mounter {
    // mount(2) copies at most one page of data; longer overlay options fail with EINVAL
    private static final int PAGE = 4096;

    private final Syscalls sys;

    LinuxMounter(Syscalls sys) {
        this.sys = sys;
    }

    @Override
    public void mount(Mount mount, Path mountPoint) {
        Path target = mount.target().isEmpty() ? mountPoint : mountPoint.resolve(mount.target().replaceFirst("^/+", ""));
        MountOptions o = MountOptions.parse(mount.options());
        String where = target.toString();
        try {
            if (o.bind() || mount.type().equals("bind")) {
                long flags = o.flags() | Syscalls.MS_BIND;
                sys.mount(mount.source(), where, "none", flags & ~Syscalls.MS_RDONLY, null);
                if (o.readOnly()) {
                    // a bind mount ignores MS_RDONLY on creation; it takes a remount to apply it
                    sys.mount("none", where, "none", Syscalls.MS_REMOUNT | Syscalls.MS_BIND | (flags & ~Syscalls.MS_REC), null);
                }
                return;
            }
            if (o.data().length() >= PAGE && mount.type().equals("overlay")) {
                mountOverlayThroughDescriptors(mount, where, o);
                return;
            }
            if (o.data().length() >= PAGE) {
                throw JcdException.invalidArgument("mount %s on %s: options are %d bytes, mount(2) takes fewer than %d",
                        mount.type(), where, o.data().length(), PAGE);
            }
            sys.mount(mount.source(), where, mount.type(), o.flags(), o.data().isEmpty() ? null : o.data());
        } catch (UncheckedIOException e) {
            throw JcdException.of(ErrorKind.UNKNOWN, "cannot mount " + mount + " on " + where + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Many layers make lowerdir longer than the one page mount(2) copies. containerd shortens the
     * paths by chdir-ing in a child process; a JVM cannot chdir, so each directory is opened
     * (O_PATH) and named by its short /proc/self/fd/N link instead, which overlayfs resolves
     * when it mounts. The descriptors are closed right after.
     */
    private void mountOverlayThroughDescriptors(Mount mount, String where, MountOptions o) {
        List<Integer> fds = new ArrayList<>();
        try {
            List<String> data = new ArrayList<>();
            for (String option : o.data().split(",")) {
                int eq = option.indexOf('=');
                String name = eq < 0 ? option : option.substring(0, eq);
                if (name.equals("lowerdir") || name.equals("upperdir") || name.equals("workdir")) {
                    List<String> short_ = new ArrayList<>();
                    for (String dir : option.substring(eq + 1).split(":")) {
                        int fd = sys.openDirectoryPath(dir);
                        fds.add(fd);
                        short_.add("/proc/self/fd/" + fd);
                    }
                    data.add(name + "=" + String.join(":", short_));
                } else {
                    data.add(option);
                }
            }
            String shortened = String.join(",", data);
            if (shortened.length() >= PAGE) {
                throw JcdException.invalidArgument("mount overlay on %s: %d lower directories are too many for one mount(2) call",
                        where, fds.size());
            }
            sys.mount(mount.source(), where, mount.type(), o.flags(), shortened);
        } finally {
            fds.forEach(sys::close);
        }
    }

    @Override
    public void unmountAll(Path mountPoint) {
        for (int i = 0; i < 64; i++) {
            try {
                sys.umount(mountPoint.toString(), 0);
            } catch (UncheckedIOException e) {
                int errno = e.getCause() instanceof ErrnoException x ? x.errno() : -1;
                if (errno == ErrnoException.EINVAL || errno == ErrnoException.ENOENT) {
                    return; // nothing (more) mounted there
                }
                if (errno == 16) { // EBUSY: somebody still uses it; detach so the snapshot can go
                    sys.umount(mountPoint.toString(), Syscalls.MNT_DETACH);
                    continue;
                }
                throw JcdException.of(ErrorKind.UNKNOWN, "cannot unmount " + mountPoint + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        }
    }
}
