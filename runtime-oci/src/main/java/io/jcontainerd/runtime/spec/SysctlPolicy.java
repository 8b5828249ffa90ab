package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which linux.sysctl keys a container may set: runc's rules (libcontainer/configs/validate). /proc/sys is
 * only partly namespaced, so a key is allowed only when the namespace that holds it is the container's
 * own: the System V IPC keys and fs.mqueue.* with an ipc namespace, net.* with a network namespace that
 * is not the host's, kernel.domainname with a uts namespace. Everything else (kernel.core_pattern,
 * vm.*, ...) would change the host and is refused.
 */
public final class SysctlPolicy {
    private static final Set<String> IPC_KEYS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final int MAX_KEY = 256;

    private SysctlPolicy() {}

    /** Refuses the first key that is malformed or not held by one of the container's own namespaces. */
    public static void check(Map<String, String> sysctl, List<Linux.Namespace> namespaces) {
        for (String raw : sysctl.keySet()) {
            procPath(raw);
            String key = dotted(raw);
            if (IPC_KEYS.contains(key) || key.startsWith("fs.mqueue.")) {
                if (has(namespaces, "ipc")) continue;
                throw JruncException.invalidArgument("config.json: linux.sysctl %s is not allowed in the host's ipc namespace: add an ipc namespace to linux.namespaces", raw);
            }
            if (key.startsWith("net.")) {
                if (!hostNetwork(namespaces)) continue;
                throw JruncException.invalidArgument("config.json: linux.sysctl %s is not allowed in the host's network namespace: give the container its own network namespace", raw);
            }
            if (has(namespaces, "uts")) {
                if (key.equals("kernel.domainname")) continue;
                if (key.equals("kernel.hostname")) {
                    throw JruncException.invalidArgument("config.json: linux.sysctl kernel.hostname conflicts with the hostname field: set hostname instead");
                }
            }
            throw JruncException.invalidArgument("config.json: linux.sysctl %s is not namespaced (setting it would change the host's value); only kernel.msg*/sem/shm* and fs.mqueue.* (own ipc namespace), net.* (own network namespace) and kernel.domainname (own uts namespace) are allowed", raw);
        }
    }

    /**
     * The file under /proc/sys for a key in either of sysctl(8)'s forms ("net.ipv4.conf.eth0/100.rp_filter"
     * or "net/ipv4/conf/eth0.100/rp_filter"): every component a plain name, never empty, "." or "..".
     */
    public static String procPath(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY) throw invalid(key, "empty or longer than " + MAX_KEY + " characters");
        String path = swapSeparators(dotted(key));
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f) throw invalid(key, "it holds a control, space or non-ASCII character");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.contains("..") || part.equals(".")) throw invalid(key, "a component is empty, \".\" or holds \"..\"");
        }
        return path;
    }

    private static JruncException invalid(String key, String why) {
        return JruncException.invalidArgument("config.json: linux.sysctl key %s is not a valid sysctl name: %s", key, why);
    }

    /** runc's convertSysctlVariableToDotsSeparator: a key whose first separator is '/' has '.' and '/' swapped. */
    static String dotted(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.') return key;
            if (c == '/') return swapSeparators(key);
        }
        return key;
    }

    private static String swapSeparators(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) c[i] = c[i] == '.' ? '/' : c[i] == '/' ? '.' : c[i];
        return new String(c);
    }

    private static boolean has(List<Linux.Namespace> namespaces, String type) {
        return namespaces.stream().anyMatch(n -> n.type().equals(type));
    }

    /** No network namespace, or one joined by a path that is this process's own (the host's). */
    private static boolean hostNetwork(List<Linux.Namespace> namespaces) {
        for (Linux.Namespace n : namespaces) {
            if (!n.type().equals("network")) continue;
            if (n.path() == null || n.path().isEmpty()) return false;
            try {
                return Files.isSameFile(Path.of("/proc/self/ns/net"), Path.of(n.path()));
            } catch (IOException e) {
                throw JruncException.invalidArgument("config.json: linux.namespaces network path %s: %s", n.path(), e.getMessage());
            }
        }
        return true;
    }
}
