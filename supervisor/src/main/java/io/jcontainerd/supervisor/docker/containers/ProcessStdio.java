package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.supervisor.containers.OutputPumps;
import io.jcontainerd.supervisor.docker.Fifos;
import io.jcontainerd.supervisor.docker.http.StreamFrames;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The stdio FIFOs of one process (a container's run or an exec) in a directory of its own, and
 * the threads that read its output. The shim opens the output FIFOs read-write and closes them
 * when the process exits, so our readers (opened read-only) see EOF exactly then. Until the
 * shim holds its ends, ours are held open read-write so that neither side's open blocks.
 */
public final class ProcessStdio implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProcessStdio.class.getName());
    private final Path dir;
    private final boolean tty;
    private final boolean stdin;
    private final List<FileChannel> held = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private CountDownLatch opened;
    private OutputStream stdinWriter;
    private boolean stdinClosed;

    private ProcessStdio(Path dir, boolean tty, boolean stdin) {
        this.dir = dir;
        this.tty = tty;
        this.stdin = stdin;
    }

    /** Makes the FIFOs in {@code dir} (created, 0700): stdin only if the process takes input, stderr only without a TTY. */
    public static ProcessStdio create(Path dir, boolean tty, boolean stdin) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            ProcessStdio s = new ProcessStdio(dir, tty, stdin);
            for (Path p : s.paths()) {
                Files.deleteIfExists(p);
                Fifos.make(p);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the stdio FIFOs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The FIFOs of a process that is already running (after a daemon restart). */
    public static ProcessStdio existing(Path dir, boolean tty, boolean stdin) {
        return new ProcessStdio(dir, tty, stdin);
    }

    private List<Path> paths() {
        List<Path> p = new ArrayList<>();
        if (stdin) {
            p.add(dir.resolve("stdin"));
        }
        p.add(dir.resolve("stdout"));
        if (!tty) {
            p.add(dir.resolve("stderr"));
        }
        return p;
    }

    public Path dir() {
        return dir;
    }

    public String stdinPath() {
        return stdin ? dir.resolve("stdin").toString() : "";
    }

    public String stdoutPath() {
        return dir.resolve("stdout").toString();
    }

    public String stderrPath() {
        return tty ? "" : dir.resolve("stderr").toString();
    }

    /**
     * Starts reading the output into {@code sink}. With {@code hold}, our own read-write ends are
     * held until {@link #release} (call it once the process has started); without, the shim already holds
     * its ends (a running process found again).
     */
    public void start(OutputSink sink, boolean hold) {
        try {
            if (hold) {
                held.add(FileChannel.open(dir.resolve("stdout"), StandardOpenOption.READ, StandardOpenOption.WRITE));
                if (!tty) {
                    held.add(FileChannel.open(dir.resolve("stderr"), StandardOpenOption.READ, StandardOpenOption.WRITE));
                }
            }
        } catch (IOException e) {
            release();
            throw new UncheckedIOException("cannot open the FIFOs in " + dir + ": " + e.getMessage(), e);
        }
        opened = new CountDownLatch(tty ? 1 : 2);
        CountDownLatch ended = new CountDownLatch(tty ? 1 : 2);
        pumps.add(pump(dir.resolve("stdout"), StreamFrames.STDOUT, sink, ended));
        if (!tty) {
            pumps.add(pump(dir.resolve("stderr"), StreamFrames.STDERR, sink, ended));
        }
        Thread.ofVirtual().name("stdio-end").start(() -> {
            try {
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.end();
        });
    }

    private Thread pump(Path fifo, int stream, OutputSink sink, CountDownLatch ended) {
        return Thread.ofPlatform().daemon().name("stdio-" + fifo.getFileName()).stackSize(256 * 1024).start(() -> {
            try (InputStream in = new FileInputStream(fifo.toFile())) {
                opened.countDown();
                byte[] buf = new byte[32 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.output(stream, java.util.Arrays.copyOf(buf, n));
                }
            } catch (IOException e) {
                LOG.fine(() -> "reading " + fifo + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warning(() -> "output of " + fifo + " lost: " + e);
            } finally {
                opened.countDown();
                ended.countDown();
            }
        });
    }

    /** Lets go of our held ends once the readers are open: from now on EOF comes when the shim closes its ends. */
    public void release() {
        try {
            if (opened != null) {
                opened.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (FileChannel c : held) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to lose
            }
        }
        held.clear();
    }

    /** Waits for the output readers to reach EOF. */
    public boolean awaitEnd(Duration timeout) {
        return OutputPumps.awaitEnd(pumps, timeout);
    }

    /** Writes to the process's stdin (opened at first use; blocks until the shim reads the FIFO). */
    public synchronized void writeStdin(byte[] data, int off, int len) throws IOException {
        if (!stdin || stdinClosed) {
            return;
        }
        if (stdinWriter == null) {
            stdinWriter = new FileOutputStream(dir.resolve("stdin").toFile());
        }
        stdinWriter.write(data, off, len);
        stdinWriter.flush();
    }

    /** Our end of stdin closed: the process reads EOF once the shim has copied what was written. */
    public synchronized void closeStdin() {
        if (stdinClosed) {
            return;
        }
        stdinClosed = true;
        if (stdinWriter != null) {
            try {
                stdinWriter.close();
            } catch (IOException ignored) {
                // the reader went away: nothing to tell
            }
        }
    }

    public boolean hasStdin() {
        return stdin;
    }

    /** Closes stdin and removes the FIFOs and their directory. */
    @Override
    public void close() {
        release();
        closeStdin();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // already gone
        }
    }
}
