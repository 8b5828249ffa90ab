package io.jcontainerd.supervisor.docker.volumes;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Copies an image directory's content into a volume as dockerd's copy-up does: directories,
 * regular files and symlinks with their owner, mode and times (symlinks are not followed;
 * devices, FIFOs and sockets are left out), and the top directory's owner and mode onto the volume.
 */
final class TreeCopy {
    private TreeCopy() {
    }

    static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(dir).toString());
                if (!dir.equals(from)) {
                    Files.createDirectory(t);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(file));
                    owner(file, t);
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    owner(file, t);
                    // a chown clears set-id bits: the mode again after it
                    Files.setAttribute(t, "unix:mode", (Integer) Files.getAttribute(file, "unix:mode") & 07777);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Path t = to.resolve(from.relativize(dir).toString());
                owner(dir, t);
                Files.setAttribute(t, "unix:mode", (Integer) Files.getAttribute(dir, "unix:mode") & 07777);
                Files.setLastModifiedTime(t, (FileTime) Files.getAttribute(dir, "lastModifiedTime"));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void owner(Path from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
    }
}
