package io.jcontainerd.ctr.stdio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A process's stdio FIFOs in a private directory ({@code <fifo dir>/<random>/<id>-stdin|stdout|stderr},
 * mode 0700), as ctr makes them under /run/containerd/fifo. The daemon's shim opens the other ends.
 * With a terminal there is no stderr: the pty carries both streams on stdout.
 */
public record FifoSet(Path dir, Path stdin, Path stdout, Path stderr) {
    public static final Path DEFAULT_DIR = Path.of("/run/jcontainerd/fifo");

    public static FifoSet create(Path base, String id, boolean terminal) {
        try {
            Files.createDirectories(base);
            Path dir = Files.createDirectory(base.resolve(UUID.randomUUID().toString().replace("-", "")),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            FifoSet set = new FifoSet(dir, dir.resolve(id + "-stdin"), dir.resolve(id + "-stdout"),
                    terminal ? null : dir.resolve(id + "-stderr"));
            mkfifo(set);
            return set;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the stdio FIFOs under " + base + ": " + e.getMessage(), e);
        }
    }

    private static void mkfifo(FifoSet set) throws IOException {
        FifoMaker.make(Stream.of(set.stdin, set.stdout, set.stderr).filter(java.util.Objects::nonNull).toList());
    }

    /** Our ends of every FIFO, opened read-write (which never blocks), until closed. */
    public Held holdOpen() {
        List<FileChannel> open = new ArrayList<>();
        try {
            for (Path p : Stream.of(stdin, stdout, stderr).filter(java.util.Objects::nonNull).toList()) {
                open.add(FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
        } catch (IOException e) {
            new Held(open).close();
            throw new UncheckedIOException("cannot open the FIFOs in " + dir + ": " + e.getMessage(), e);
        }
        return new Held(open);
    }

    /** FIFO ends held open by {@link #holdOpen}. */
    public record Held(List<FileChannel> channels) implements AutoCloseable {
        @Override
        public void close() {
            for (FileChannel c : channels) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a FIFO end cannot lose data we care about
                }
            }
        }
    }

    public String stderrPath() {
        return stderr == null ? "" : stderr.toString();
    }

    /** Removes the FIFOs and their directory (the shim holds its own open ends, if any). */
    public void delete() {
        deleteDir(dir);
    }

    /** Removes a FIFO directory found again from a task's stdio paths, if it is one of ours. */
    public static void deleteFor(String stdioPath) {
        if (stdioPath == null || stdioPath.isEmpty()) {
            return;
        }
        Path parent = Path.of(stdioPath).getParent();
        if (parent != null && parent.getParent() != null && parent.getParent().equals(DEFAULT_DIR)) {
            deleteDir(parent);
        }
    }

    private static void deleteDir(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
