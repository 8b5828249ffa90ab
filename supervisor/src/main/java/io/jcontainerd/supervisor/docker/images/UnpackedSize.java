package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The size dockerd 20.10 gives a layer (its {@code docker images} SIZE is the sum over the image's
 * layers): what the layer's overlay2 diff directory holds once the layer is applied, measured as
 * moby's {@code pkg/directory.Size} does: the {@code st_size} of every entry that is not a directory
 * and not empty (a symlink counts the length of its target), each inode once. Read here from the
 * uncompressed tar, applied in order as dockerd's untar does: a later entry replaces what an earlier
 * one put at its path (and everything under it) unless both are directories; a hardlink shares its
 * target's inode; a whiteout {@code .wh.<name>} becomes an empty device that replaces {@code <name>};
 * an opaque marker {@code .wh..wh..opq} is an xattr of its directory. Directories add nothing.
 */
final class UnpackedSize {
    /** An inode of the applied layer; hardlinks share one (told apart by identity, not by value). */
    private record Inode(long size, boolean dir) {
    }

    private static final Inode DIR = new Inode(0, true);

    private UnpackedSize() {
    }

    /** The size of the layer whose uncompressed tar {@code tar} is (read to its end marker, not closed). */
    static long of(InputStream tar) throws IOException {
        TarReader reader = new TarReader(tar);
        TreeMap<String, Inode> paths = new TreeMap<>();
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            String path = clean(e.name());
            if (path.isEmpty()) {
                continue; // the layer's root directory
            }
            String base = path.substring(path.lastIndexOf('/') + 1);
            if (base.equals(".wh..wh..opq")) {
                continue;
            }
            if (base.startsWith(".wh.")) {
                String hidden = path.substring(0, path.length() - base.length()) + base.substring(4);
                replace(paths, hidden, new Inode(0, false));
                continue;
            }
            switch (e.type()) {
                case DIR -> {
                    Inode was = paths.get(path);
                    if (was == null || !was.dir()) {
                        replace(paths, path, DIR);
                    }
                }
                case FILE -> replace(paths, path, new Inode(e.size(), false));
                case SYMLINK -> replace(paths, path, new Inode(e.linkName().getBytes(StandardCharsets.UTF_8).length, false));
                case HARDLINK -> {
                    String to = clean(e.linkName());
                    Inode target = paths.get(to);
                    if (!to.equals(path)) {
                        replace(paths, path, target == null || target.dir() ? new Inode(0, false) : target);
                    }
                }
                case CHAR, BLOCK, FIFO -> replace(paths, path, new Inode(0, false));
            }
        }
        Set<Inode> counted = Collections.newSetFromMap(new IdentityHashMap<>());
        long size = 0;
        for (Inode i : paths.values()) {
            if (!i.dir() && counted.add(i)) {
                size += i.size();
            }
        }
        return size;
    }

    /** Puts {@code inode} at {@code path}, removing what was there and everything under it. */
    private static void replace(TreeMap<String, Inode> paths, String path, Inode inode) {
        paths.subMap(path + "/", path + "0").clear(); // '0' follows '/': every "path/..." key
        paths.put(path, inode);
    }

    /** A tar name as a path relative to the layer's root: no leading "/", no "." or empty parts, ".." resolved within the root. */
    static String clean(String name) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }
}
