package io.jcontainerd.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The FIFOs containerd's {@code ctr} makes for a process's stdio: {@code /run/containerd/fifo/<random>/<id>-stdin},
 * {@code -stdout} and {@code -stderr}, one directory per process. ctr removes a directory itself when its run ends or
 * when {@code tasks rm} deletes the task (it finds the directory through the stdio paths Tasks/Get reports); a ctr that
 * is killed, or whose daemon dies under it, leaves it behind, with containerd as with jcontainerd. The directory is
 * shared by every ctr on the machine: a test looks only at, and removes only, the FIFOs named with its own unique token.
 */
public final class CtrFifos {
    private static final Path ROOT = Path.of("/run/containerd/fifo");

    private CtrFifos() {
    }

    /** The FIFO directories holding a FIFO whose name contains {@code token} (a test's unique id, or a part of it). */
    public static List<Path> dirsOf(String token) {
        if (!Files.isDirectory(ROOT)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> holdsFifoOf(d, token)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + ROOT, e);
        }
    }

    /** Removes the FIFO directories {@link #dirsOf} finds for {@code token}. */
    public static void removeOf(String token) {
        for (Path dir : dirsOf(token)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove ctr's FIFO directory " + dir, e);
            }
        }
    }

    private static boolean holdsFifoOf(Path dir, String token) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).anyMatch(n -> n.contains(token)
                    && (n.endsWith("-stdin") || n.endsWith("-stdout") || n.endsWith("-stderr")));
        } catch (IOException e) {
            return false; // removed meanwhile by the ctr that made it
        }
    }
}
