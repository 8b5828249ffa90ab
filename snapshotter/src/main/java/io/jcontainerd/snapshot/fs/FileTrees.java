package io.jcontainerd.snapshot.fs;

import io.jcontainerd.snapshot.Usage;
import io.jcontainerd.snapshot.linux.Syscalls;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/** Whole-tree operations that never follow symlinks. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes path and, if it is a real directory, everything under it; a no-op if absent. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Disk blocks and inodes under root, each hardlinked inode counted once (containerd's fs.DiskUsage). */
    public static Usage diskUsage(Path root, Syscalls sys) throws IOException {
        Set<Long> seen = new HashSet<>();
        long[] total = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                count(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                count(file);
                return FileVisitResult.CONTINUE;
            }

            private void count(Path p) {
                long[] blocksInode = sys.blocksAndInode(p.toString());
                if (seen.add(blocksInode[1])) {
                    total[0] += blocksInode[0];
                    total[1]++;
                }
            }
        });
        return new Usage(total[0], total[1]);
    }
}
