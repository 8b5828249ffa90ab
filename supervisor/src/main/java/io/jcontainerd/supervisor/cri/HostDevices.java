package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's device nodes under /dev as OCI {@code linux.devices} entries, for privileged CRI
 * containers (containerd's oci.WithHostDevices): character and block devices with their major,
 * minor, mode, uid and gid; symlinks, fifos and other files left out, as are the directories
 * pts, shm, fd, mqueue, .lxc, .lxd-mounts and .udev and the node /dev/console. /dev/ptmx is left
 * out too: the container's /dev/ptmx must be its own devpts instance's (the runtime links it to
 * pts/ptmx, as runc replaces it), not the host's. At most 4096 nodes, 8 directories deep.
 */
final class HostDevices {
    static final Set<String> SKIP_DIRS = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev");
    private static final Set<String> SKIP_NODES = Set.of("/dev/console", "/dev/ptmx");
    private static final int MAX = 4096;
    private static final int DEPTH = 8;

    private HostDevices() {
    }

    static List<Map<String, Object>> list(Path dev) {
        List<Map<String, Object>> out = new ArrayList<>();
        walk(dev, dev, 0, out);
        return out;
    }

    private static void walk(Path root, Path dir, int depth, List<Map<String, Object>> out) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (out.size() >= MAX) {
                    return;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (depth < DEPTH && !SKIP_DIRS.contains(p.getFileName().toString())) {
                        walk(root, p, depth + 1, out);
                    }
                    continue;
                }
                String inContainer = "/dev/" + root.relativize(p);
                if (!SKIP_NODES.contains(inContainer)) {
                    device(p, inContainer, out);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a directory that cannot be listed holds nothing we could give either
        }
    }

    private static void device(Path p, String inContainer, List<Map<String, Object>> out) {
        try {
            Map<String, Object> d = node(p, inContainer);
            if (d != null) {
                out.add(d);
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or unreadable: not given
        }
    }

    /**
     * The OCI {@code linux.devices} entry of the character or block device node {@code p} (not
     * followed if a symlink), at {@code inContainer}; null if {@code p} is another kind of file or
     * has major 0 (containerd's DeviceFromPath: ErrNotADevice).
     */
    static Map<String, Object> node(Path p, String inContainer) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(p, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attrs.get("mode");
        int kind = mode & 0170000;
        if (kind != 0020000 && kind != 0060000) {
            return null;
        }
        long rdev = (Long) attrs.get("rdev");
        long major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
        if (major == 0) {
            return null;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("path", inContainer);
        d.put("type", kind == 0020000 ? "c" : "b");
        d.put("major", major);
        d.put("minor", (rdev & 0xff) | ((rdev >> 12) & ~0xffL));
        d.put("fileMode", mode & 07777);
        d.put("uid", ((Number) attrs.get("uid")).longValue());
        d.put("gid", ((Number) attrs.get("gid")).longValue());
        return d;
    }
}
