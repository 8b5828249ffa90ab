package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A process's stdout and stderr FIFOs in a private directory (0700) the daemon reads, as
 * containerd's cri keeps them under its state directory; the shim opens the write ends.
 */
record Fifos(Path dir, Path stdout, Path stderr) {

    static Fifos create(Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Fifos f = new Fifos(dir, dir.resolve("stdout"), dir.resolve("stderr"));
            // mkfifo(3), not the mkfifo program: a process spawned on StartContainer's path cost 5-30 ms at load 10
            io.jcontainerd.supervisor.docker.Fifos.make(f.stdout);
            io.jcontainerd.supervisor.docker.Fifos.make(f.stderr);
            return f;
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot create the stdio FIFOs in %s: %s", dir, e.getMessage());
        }
    }

    /** Makes {@code dir}/stdin, the FIFO a container that takes stdin reads (Attach writes it). */
    static Path createStdin(Path dir) {
        Path in = dir.resolve("stdin");
        try {
            io.jcontainerd.supervisor.docker.Fifos.make(in);
            return in;
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot create the stdin FIFO %s: %s", in, e.getMessage());
        }
    }

    /**
     * Opens {@code fifo} for reading; blocks in the kernel (call it from a platform thread: a
     * virtual thread would pin its carrier, and the daemon's calls run on virtual threads) until a writer (the shim) opens it, or {@link #release}
     * opens and closes a write end.
     */
    static InputStream openForReading(Path fifo) throws IOException {
        return Channels.newInputStream(FileChannel.open(fifo, StandardOpenOption.READ));
    }

    /** Lets a reader still blocked in {@link #openForReading} through (it then sees end of file). */
    static void release(Path fifo) {
        Thread t = Thread.ofPlatform().daemon().name("cri-fifo-release").start(() -> {
            try (FileChannel w = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
                // opened and closed: the reader's open returns
            } catch (IOException ignored) {
                // gone already
            }
        });
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            t.interrupt(); // nobody reads any more: the write end's open would wait forever
        }
    }

    void delete() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot remove the FIFO directory %s: %s", dir, e.getMessage());
        }
    }
}
