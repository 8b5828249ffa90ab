package io.jcontainerd.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A directory tree as a sorted map a test can compare: relative path → type, mode, owner and content. */
public final class FileTreeView {
    private FileTreeView() {
    }

    /** Each entry reads e.g. {@code file 0644 0:0 "text"}, {@code dir 0755 0:0}, {@code symlink -> target}. */
    public static Map<String, String> of(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                out.put(root.relativize(p).toString(), describe(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static String describe(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String owner = a.get("uid") + ":" + a.get("gid");
            String perm = String.format("%04o", mode & 07777);
            return switch (mode & 0170000) {
                case 0100000 -> "file " + perm + " " + owner + " \"" + Files.readString(p, StandardCharsets.ISO_8859_1) + "\"";
                case 0040000 -> "dir " + perm + " " + owner;
                case 0120000 -> "symlink -> " + Files.readSymbolicLink(p);
                case 0020000 -> "char " + a.get("rdev") + " " + perm + " " + owner;
                case 0060000 -> "block " + a.get("rdev") + " " + perm + " " + owner;
                case 0010000 -> "fifo " + perm + " " + owner;
                default -> "other " + Integer.toOctalString(mode);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
