package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.spec.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The host's device nodes under /dev, for --privileged (containerd's oci.WithHostDevices). */
final class HostDevices {
    private static final Set<String> SKIP = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/console");

    private HostDevices() {
    }

    static List<Spec.Device> list() {
        List<Spec.Device> out = new ArrayList<>();
        try (var walk = Files.walk(Path.of("/dev"))) {
            walk.filter(p -> SKIP.stream().noneMatch(s -> p.toString().equals(s) || p.toString().startsWith(s + "/")))
                    .forEach(p -> device(p, out));
        } catch (IOException | java.io.UncheckedIOException e) {
            // what could be listed is enough: the others are not visible to us either
        }
        return out;
    }

    private static void device(Path p, List<Spec.Device> out) {
        try {
            if (Files.isSymbolicLink(p)) {
                return;
            }
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            int kind = mode & 0170000;
            if (kind != 0020000 && kind != 0060000) {
                return;
            }
            long rdev = (Long) Files.getAttribute(p, "unix:rdev");
            long major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >> 12) & ~0xffL);
            out.add(new Spec.Device(p.toString(), kind == 0020000 ? "c" : "b", major, minor, mode & 07777,
                    ((Number) Files.getAttribute(p, "unix:uid")).longValue(), ((Number) Files.getAttribute(p, "unix:gid")).longValue()));
        } catch (IOException | UnsupportedOperationException e) {
            // unreadable node: leave it out
        }
    }
}
