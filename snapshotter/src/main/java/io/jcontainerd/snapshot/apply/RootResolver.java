package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the parent directories of archive entries inside the layer root, one component at a
 * time, with lstat, never letting the kernel follow a symlink we have not looked at.
 *
 * <p>A symlink met in a parent component is followed with chroot semantics, as a container would
 * see it: an absolute target starts again at the layer root (so {@code lib -> /usr/lib} works),
 * a relative one continues from the link's directory. A relative target whose ".." climbs above
 * the root is refused with the entry's name: it can only be meant to escape. Missing parents are
 * created as real directories (0755), so every path handed back consists of real directories
 * under the root only.
 *
 * <p>Why this is enough without openat2: the tree is written only by this applier while a layer
 * is applied (the snapshot is not mounted into any container yet), so nothing can swap a
 * component between our check and our use; the cache is dropped whenever we remove anything.
 */
final class RootResolver {
    private static final int MAX_LINKS = 40;

    private final Path root;
    private final List<Path> lowers;
    private final Syscalls sys;
    private final Map<String, Path> cache = new HashMap<>();

    /**
     * @param lowers the lower layers (nearest first) when root is an overlay upper directory: a
     *               parent directory created here copies their owner, mode and mtime, as
     *               containerd's mkparent does, since the upper one is what the merged view shows
     */
    RootResolver(Path root, List<Path> lowers, Syscalls sys) {
        this.root = root;
        this.lowers = lowers;
        this.sys = sys;
    }

    Path root() {
        return root;
    }

    /** Forget resolved directories: call after removing or replacing anything. */
    void invalidate() {
        cache.clear();
    }

    /** The real directory the components name, created if missing (when {@code create}), or null if missing. */
    Path directory(String entry, List<String> components, boolean create) throws IOException {
        if (components.isEmpty()) {
            return root;
        }
        String key = String.join("/", components);
        Path hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        Deque<String> todo = new ArrayDeque<>(components);
        List<String> real = new ArrayList<>();
        Path current = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (real.isEmpty()) {
                    throw JcdException.invalidArgument(
                            "layer entry %s: a symlink among its parents (%s) points out of the layer root; refused", entry, key);
                }
                real.removeLast();
                current = current.getParent();
                continue;
            }
            Path next = current.resolve(c);
            BasicFileAttributes a = lstat(next);
            if (a == null) {
                if (!create) {
                    return null;
                }
                Files.createDirectory(next);
                real.add(c);
                current = next;
                copyFromLower(String.join("/", real), next);
            } else if (a.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw JcdException.invalidArgument("layer entry %s: too many symlinks (a loop?) among its parents %s; refused",
                            entry, key);
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    real.clear();
                    current = root;
                }
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    todo.addFirst(parts[i]);
                }
            } else if (a.isDirectory()) {
                real.add(c);
                current = next;
            } else {
                throw JcdException.invalidArgument("layer entry %s: parent %s is not a directory in the layer", entry,
                        String.join("/", real.isEmpty() ? List.of(c) : append(real, c)));
            }
        }
        cache.put(key, current);
        return current;
    }

    /** The path of the last component inside its resolved parent, not following it; null if the parent is missing. */
    Path leaf(String entry, List<String> components, boolean createParents) throws IOException {
        if (components.isEmpty()) {
            return root;
        }
        Path parent = directory(entry, components.subList(0, components.size() - 1), createParents);
        return parent == null ? null : parent.resolve(components.getLast());
    }

    private void copyFromLower(String relative, Path created) throws IOException {
        for (Path lower : lowers) {
            Path candidate = lower.resolve(relative);
            BasicFileAttributes a = lstat(candidate);
            if (a != null && a.isDirectory()) {
                Map<String, Object> u = Files.readAttributes(candidate, "unix:uid,gid,mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                String p = created.toString();
                sys.lchown(p, (Integer) u.get("uid"), (Integer) u.get("gid"));
                sys.chmod(p, (Integer) u.get("mode"));
                var mtime = ((java.nio.file.attribute.FileTime) u.get("lastModifiedTime")).toInstant();
                sys.utimesNoFollow(p, mtime.getEpochSecond(), mtime.getNano(), mtime.getEpochSecond(), mtime.getNano());
                return;
            }
        }
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static List<String> append(List<String> list, String c) {
        List<String> out = new ArrayList<>(list);
        out.add(c);
        return out;
    }
}
