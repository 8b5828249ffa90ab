package io.jcontainerd.snapshot.fs;

import io.jcontainerd.snapshot.linux.ErrnoException;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies a directory tree exactly (containerd's fs.CopyDir): owners, full modes, xattrs, mtimes,
 * hardlinks kept as hardlinks, symlinks as symlinks, device nodes, fifos and sockets recreated.
 */
public final class TreeCopier {
    private final Syscalls sys;

    public TreeCopier(Syscalls sys) {
        this.sys = sys;
    }

    /** Copies the contents of {@code src} into the existing directory {@code dst}, and src's own attributes onto dst. */
    public void copy(Path src, Path dst) throws IOException {
        Map<String, Path> linked = new HashMap<>();
        Deque<Path[]> dirTimes = new ArrayDeque<>();
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = dst.resolve(src.relativize(dir).toString());
                if (!dir.equals(src)) {
                    Files.createDirectory(target);
                }
                copyMetadata(dir, target, false);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes basic) throws IOException {
                Path target = dst.resolve(src.relativize(file).toString());
                Map<String, Object> a = Files.readAttributes(file, "unix:mode,ino,dev,nlink,rdev", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                if ((Integer) a.get("nlink") > 1 && !basic.isDirectory()) {
                    String inode = a.get("dev") + ":" + a.get("ino");
                    Path first = linked.putIfAbsent(inode, target);
                    if (first != null) {
                        Files.createLink(target, first);
                        return FileVisitResult.CONTINUE;
                    }
                }
                if (basic.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else if (basic.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                } else {
                    sys.mknod(target.toString(), mode, (Long) a.get("rdev"));
                }
                copyMetadata(file, target, basic.isSymbolicLink());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                // children changed the directory's mtime: set it last
                dirTimes.push(new Path[] {dir, dst.resolve(src.relativize(dir).toString())});
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path[] pair : dirTimes) {
            copyTimes(pair[0], pair[1]);
        }
    }

    private void copyMetadata(Path from, Path to, boolean symlink) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:mode,uid,gid,lastModifiedTime,lastAccessTime", LinkOption.NOFOLLOW_LINKS);
        String target = to.toString();
        try {
            sys.lchown(target, (Integer) a.get("uid"), (Integer) a.get("gid"));
            if (!symlink) {
                sys.chmod(target, (Integer) a.get("mode"));
            }
            // after chown, which clears security.capability
            for (String name : sys.llistxattr(from.toString())) {
                sys.lsetxattr(target, name, sys.lgetxattr(from.toString(), name));
            }
            if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                setTimes(target, (FileTime) a.get("lastAccessTime"), (FileTime) a.get("lastModifiedTime"));
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof ErrnoException x && x.errno() == ErrnoException.EOPNOTSUPP) {
                return;
            }
            throw e.getCause();
        }
    }

    private void copyTimes(Path from, Path to) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:lastModifiedTime,lastAccessTime", LinkOption.NOFOLLOW_LINKS);
        try {
            setTimes(to.toString(), (FileTime) a.get("lastAccessTime"), (FileTime) a.get("lastModifiedTime"));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void setTimes(String target, FileTime atime, FileTime mtime) {
        var at = atime.toInstant();
        var mt = mtime.toInstant();
        sys.utimesNoFollow(target, at.getEpochSecond(), at.getNano(), mt.getEpochSecond(), mt.getNano());
    }
}
