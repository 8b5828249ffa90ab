package io.jcontainerd.snapshot.diff;

import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/** Turns filesystem entries into tar entries: owners, modes, times (whole seconds), hardlinks, security.capability. */
final class ChangeWriter {
    static final String CAPABILITY = "security.capability";

    /** The unix attributes of one path, read once. */
    record Stat(int mode, int uid, int gid, long size, FileTime mtime, long rdev, long inode, int nlink) {
        static Stat of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,rdev,ino,dev,nlink",
                    LinkOption.NOFOLLOW_LINKS);
            return new Stat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                    (FileTime) a.get("lastModifiedTime"), (Long) a.get("rdev"), (Long) a.get("ino") ^ ((Long) a.get("dev") << 40),
                    (Integer) a.get("nlink"));
        }

        int format() {
            return mode & 0170000;
        }

        boolean isDirectory() {
            return format() == 0040000;
        }

        boolean isRegular() {
            return format() == 0100000;
        }

        boolean isWhiteoutDevice() {
            return format() == Syscalls.S_IFCHR && rdev == 0;
        }
    }

    private final TarWriter tar;
    private final Syscalls sys;
    private final Map<Long, String> firstLink = new HashMap<>();

    ChangeWriter(TarWriter tar, Syscalls sys) {
        this.tar = tar;
        this.sys = sys;
    }

    void add(String rel, Path p, Stat s) throws IOException {
        long mtime = s.mtime().toInstant().getEpochSecond();
        Map<String, byte[]> xattrs = capability(sys, p, s);
        if (s.isRegular() && s.nlink() > 1) {
            String first = firstLink.putIfAbsent(s.inode(), rel);
            if (first != null) {
                tar.write(new TarEntry(rel, TarEntry.Type.HARDLINK, s.mode() & 07777, s.uid(), s.gid(), 0, mtime, 0, first, 0, 0,
                        Map.of()), null);
                return;
            }
        }
        TarEntry.Type type = switch (s.format()) {
            case 0100000 -> TarEntry.Type.FILE;
            case 0040000 -> TarEntry.Type.DIR;
            case 0120000 -> TarEntry.Type.SYMLINK;
            case Syscalls.S_IFCHR -> TarEntry.Type.CHAR;
            case Syscalls.S_IFBLK -> TarEntry.Type.BLOCK;
            case Syscalls.S_IFIFO -> TarEntry.Type.FIFO;
            default -> null; // sockets are not archived, as in containerd
        };
        if (type == null) {
            return;
        }
        String link = type == TarEntry.Type.SYMLINK ? Files.readSymbolicLink(p).toString() : "";
        String name = type == TarEntry.Type.DIR ? rel + "/" : rel;
        TarEntry e = new TarEntry(name, type, s.mode() & 07777, s.uid(), s.gid(), type == TarEntry.Type.FILE ? s.size() : 0,
                mtime, 0, link, (int) Syscalls.major(s.rdev()), (int) Syscalls.minor(s.rdev()), xattrs);
        if (type == TarEntry.Type.FILE) {
            try (InputStream in = Files.newInputStream(p)) {
                tar.write(e, in);
            }
        } else {
            tar.write(e, null);
        }
    }

    void whiteout(String rel) throws IOException {
        int slash = rel.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + rel : rel.substring(0, slash + 1) + ".wh." + rel.substring(slash + 1);
        tar.write(new TarEntry(name, TarEntry.Type.FILE, 0, 0, 0, 0, 0, 0, "", 0, 0, Map.of()), null);
    }

    void opaque(String dirRel) throws IOException {
        tar.write(new TarEntry(dirRel + "/.wh..wh..opq", TarEntry.Type.FILE, 0, 0, 0, 0, 0, 0, "", 0, 0, Map.of()), null);
    }

    /** Only security.capability is archived, as containerd and docker do. */
    static Map<String, byte[]> capability(Syscalls sys, Path p, Stat s) {
        if (!s.isRegular()) {
            return Map.of();
        }
        try {
            if (sys.llistxattr(p.toString()).contains(CAPABILITY)) {
                return Map.of(CAPABILITY, sys.lgetxattr(p.toString(), CAPABILITY));
            }
            return Map.of();
        } catch (UncheckedIOException e) {
            return Map.of();
        }
    }
}
