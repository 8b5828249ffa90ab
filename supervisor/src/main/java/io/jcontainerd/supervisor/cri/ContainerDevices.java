package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.Device;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CRI container config's {@code devices} as OCI {@code linux.devices} entries and device cgroup
 * allow rules, as containerd 1.6's cri (customopts.WithDevices → oci.WithDevices): {@code host_path}
 * (symlinks resolved) is a character or block device node, or a directory of them walked as
 * containerd's getDevices does (subdirectories but pts, shm, fd, mqueue, .lxc, .lxd-mounts and .udev,
 * not console, files that are not device nodes left out); each node keeps the host's type, major,
 * minor, mode, uid and gid, sits at {@code container_path} (plus its name under a directory; the host
 * path when empty) and gets an allow rule with {@code permissions}. Unlike containerd, bad input is
 * refused here, naming the field: a relative or ".." path, a missing host path, a file that is not
 * a device, permissions that are not a non-empty combination of r, w and m. At most 4096 nodes.
 * With containerd's {@code device_ownership_from_security_context} the nodes are owned in the
 * container by the {@link Owner} given (its runAsUser and runAsGroup) instead of the host's owner.
 */
final class ContainerDevices {
    private static final int MAX = 4096;
    private static final int DEPTH = 8;

    /** What a config's devices add to the spec. */
    record Given(List<Map<String, Object>> devices, List<Map<String, Object>> rules) {
    }

    /** Who owns the device nodes in the container when not the host node's owner. */
    record Owner(long uid, long gid) {
    }

    private ContainerDevices() {
    }

    /** @param owner who owns the nodes in the container; null: each node's owner on the host */
    static Given of(String who, List<Device> devices, Owner owner) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        List<Map<String, Object>> rules = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            String field = who + ": devices[" + i + "]";
            String access = permissions(field, d.getPermissions());
            Path host = hostPath(field, d.getHostPath());
            String inContainer = containerPath(field, d.getContainerPath(), d.getHostPath());
            int before = nodes.size();
            if (Files.isDirectory(host)) {
                walk(field, host, inContainer, 0, nodes);
            } else {
                Map<String, Object> node = node(field, host, inContainer);
                if (node == null) {
                    throw JcdException.invalidArgument("%s.host_path \"%s\" is not a character or block device node nor a directory of them",
                            field, d.getHostPath());
                }
                add(field, node, nodes);
            }
            for (Map<String, Object> n : nodes.subList(before, nodes.size())) {
                if (owner != null) {
                    n.put("uid", owner.uid());
                    n.put("gid", owner.gid());
                }
                Map<String, Object> rule = new LinkedHashMap<>();
                rule.put("allow", true);
                rule.put("type", n.get("type"));
                rule.put("major", n.get("major"));
                rule.put("minor", n.get("minor"));
                rule.put("access", access);
                rules.add(rule);
            }
        }
        return new Given(nodes, rules);
    }

    private static String permissions(String field, String permissions) {
        if (permissions.isEmpty() || permissions.length() > 3) {
            throw JcdException.invalidArgument("%s.permissions \"%s\" must be a non-empty combination of r, w and m (e.g. \"rw\" or \"rwm\")",
                    field, permissions);
        }
        for (int i = 0; i < permissions.length(); i++) {
            char c = permissions.charAt(i);
            if ("rwm".indexOf(c) < 0 || permissions.indexOf(c) != i) {
                throw JcdException.invalidArgument("%s.permissions \"%s\" must be a non-empty combination of r, w and m, each once (e.g. \"rw\" or \"rwm\")",
                        field, permissions);
            }
        }
        return permissions;
    }

    private static Path hostPath(String field, String hostPath) {
        if (!hostPath.startsWith("/") || hostPath.indexOf('\0') >= 0) {
            throw JcdException.invalidArgument("%s.host_path \"%s\" must be an absolute path", field, hostPath);
        }
        try {
            return Path.of(hostPath).toRealPath(); // containerd: osi.ResolveSymbolicLink
        } catch (NoSuchFileException e) {
            throw JcdException.invalidArgument("%s.host_path \"%s\" does not exist on the node", field, hostPath);
        } catch (IOException | RuntimeException e) {
            throw JcdException.invalidArgument("%s.host_path \"%s\" cannot be resolved: %s", field, hostPath, e.getMessage());
        }
    }

    private static String containerPath(String field, String containerPath, String hostPath) {
        String p = containerPath.isEmpty() ? hostPath : containerPath;
        if (!p.startsWith("/") || p.indexOf('\0') >= 0) {
            throw JcdException.invalidArgument("%s.container_path \"%s\" must be an absolute path", field, containerPath);
        }
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                throw JcdException.invalidArgument("%s.container_path \"%s\" must not contain \"..\"", field, p);
            }
        }
        String normal = Path.of(p).normalize().toString();
        if (normal.equals("/")) {
            throw JcdException.invalidArgument("%s.container_path \"%s\" must name a file, not the root", field, p);
        }
        return normal;
    }

    private static void walk(String field, Path dir, String inContainer, int depth, List<Map<String, Object>> out) {
        if (depth > DEPTH) {
            throw JcdException.invalidArgument("%s.host_path: %s is more than %d directories deep", field, dir, DEPTH);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String at = inContainer + "/" + name;
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    if (!HostDevices.SKIP_DIRS.contains(name)) {
                        walk(field, p, at, depth + 1, out);
                    }
                } else if (!name.equals("console")) {
                    Map<String, Object> node = node(field, p, at);
                    if (node != null) {
                        add(field, node, out);
                    }
                }
            }
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s.host_path: directory %s cannot be read: %s", field, dir, e.getMessage());
        }
    }

    private static Map<String, Object> node(String field, Path p, String inContainer) {
        try {
            return HostDevices.node(p, inContainer);
        } catch (NoSuchFileException e) {
            return null; // gone meanwhile (containerd: os.IsNotExist skipped)
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s.host_path: %s cannot be read: %s", field, p, e.getMessage());
        }
    }

    private static void add(String field, Map<String, Object> node, List<Map<String, Object>> out) {
        if (out.size() >= MAX) {
            throw JcdException.invalidArgument("%s: more than %d device nodes asked for one container", field, MAX);
        }
        out.add(node);
    }
}
