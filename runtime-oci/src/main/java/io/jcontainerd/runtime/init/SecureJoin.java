package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a container path inside the rootfs the way the container would see it: symlinks are
 * followed with the rootfs as "/", and ".." never climbs above it. A mount destination such as
 * /etc/x -> /../../host therefore lands inside the rootfs, never on the host.
 */
public final class SecureJoin {
    private static final int MAX_LINKS = 255;

    private SecureJoin() {}

    public static String join(Syscalls sys, String root, String unsafePath) {
        Deque<String> remaining = new ArrayDeque<>();
        push(remaining, unsafePath);
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!remaining.isEmpty()) {
            String part = remaining.pollFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                resolved.pollLast();
                continue;
            }
            String candidate = path(root, resolved) + "/" + part;
            if (sys.kind(candidate) == Syscalls.Kind.SYMLINK) {
                if (++links > MAX_LINKS) throw JruncException.invalidArgument("too many symlinks resolving %s inside %s", unsafePath, root);
                String target;
                try {
                    target = sys.readlink(candidate);
                } catch (SyscallException e) {
                    // no longer a symlink (swapped meanwhile): an ordinary component; InRoot opens it by fd
                    resolved.addLast(part);
                    continue;
                }
                if (target.startsWith("/")) resolved.clear();
                push(remaining, target);
                continue;
            }
            resolved.addLast(part);
        }
        return path(root, resolved);
    }

    private static void push(Deque<String> remaining, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) remaining.addFirst(parts[i]);
    }

    private static String path(String root, Deque<String> parts) {
        String r = root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1) : root;
        if (parts.isEmpty()) return r.isEmpty() ? "/" : r;
        return (r.equals("/") ? "" : r) + "/" + String.join("/", parts);
    }
}
