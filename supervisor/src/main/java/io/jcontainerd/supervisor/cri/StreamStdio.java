package io.jcontainerd.supervisor.cri;

import io.jcontainerd.supervisor.containers.OutputPumps;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The FIFOs of one streamed exec ({@code <state>/cri/io/<exec id>}): stdin if the client sends
 * input, stdout, stderr unless a terminal merges it into stdout. Until the shim holds its ends,
 * ours are held read-write so that no open blocks; the output is read by platform threads (a
 * FIFO's open and read block in the kernel) in 32 KiB pieces, each handed on before the next read.
 */
final class StreamStdio implements AutoCloseable {
    private final Fifos fifos;
    private final Path stdin;
    private final boolean tty;
    private final List<FileChannel> held = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private final CountDownLatch opened;
    private OutputStream stdinWriter;
    private boolean stdinClosed;

    /** Receives one piece of output: stream 1 is stdout, 2 stderr. */
    interface Output {
        void write(int stream, byte[] data, int len) throws IOException;
    }

    private StreamStdio(Fifos fifos, Path stdin, boolean tty) {
        this.fifos = fifos;
        this.stdin = stdin;
        this.tty = tty;
        this.opened = new CountDownLatch(tty ? 1 : 2);
    }

    static StreamStdio create(Path dir, boolean tty, boolean withStdin) {
        Fifos f = Fifos.create(dir);
        Path in = null;
        if (withStdin) {
            try {
                in = Fifos.createStdin(dir);
            } catch (RuntimeException e) {
                f.delete();
                throw e;
            }
        }
        return new StreamStdio(f, in, tty);
    }

    String stdinPath() {
        return stdin == null ? "" : stdin.toString();
    }

    String stdoutPath() {
        return fifos.stdout().toString();
    }

    String stderrPath() {
        return tty ? "" : fifos.stderr().toString();
    }

    /** Starts reading the output into {@code out}; our write ends are held until {@link #release}. */
    void start(Output out) {
        List<Path> outputs = tty ? List.of(fifos.stdout()) : List.of(fifos.stdout(), fifos.stderr());
        try {
            for (Path p : outputs) {
                held.add(FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
        } catch (IOException e) {
            release();
            throw JcdException.failedPrecondition("cannot open the FIFOs in %s: %s", fifos.dir(), e.getMessage());
        }
        for (int i = 0; i < outputs.size(); i++) {
            Path p = outputs.get(i);
            int stream = i + 1;
            pumps.add(Thread.ofPlatform().daemon().name("cri-stream-out").stackSize(256 * 1024).start(() -> pump(p, stream, out)));
        }
    }

    private void pump(Path fifo, int stream, Output out) {
        boolean broken = false;
        try (InputStream in = new FileInputStream(fifo.toFile())) {
            opened.countDown();
            byte[] buf = new byte[32 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!broken) {
                    try {
                        out.write(stream, buf, n);
                    } catch (IOException e) {
                        broken = true; // the client is gone: read on so that the process never blocks on a full pipe
                    }
                }
            }
        } catch (IOException e) {
            // the FIFO went away with the exec
        } finally {
            opened.countDown();
        }
    }

    /** Lets go of our held ends once the readers are open: EOF comes when the shim closes its ends. */
    void release() {
        try {
            opened.await(10, TimeUnit.SECONDS);
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

    /** Waits for the output to reach EOF. */
    boolean awaitEnd(Duration timeout) {
        return OutputPumps.awaitEnd(pumps, timeout);
    }

    /** Writes to the process's stdin (opened at first use: the shim has its read end open by then). */
    synchronized void writeStdin(byte[] data) throws IOException {
        if (stdin == null || stdinClosed) {
            return;
        }
        if (stdinWriter == null) {
            stdinWriter = new FileOutputStream(stdin.toFile());
        }
        stdinWriter.write(data);
        stdinWriter.flush();
    }

    /** Our end of stdin closed (the caller then closes the shim's with CloseIO). */
    synchronized void closeStdin() {
        if (stdinClosed) {
            return;
        }
        stdinClosed = true;
        if (stdinWriter != null) {
            try {
                stdinWriter.close();
            } catch (IOException ignored) {
                // the reader went away
            }
        }
    }

    @Override
    public void close() {
        release();
        if (stdin != null) {
            // a writer still blocked opening stdin (the exec never started) is let through: it then fails with EPIPE
            try (FileChannel ignored = FileChannel.open(stdin, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // opened and closed
            } catch (IOException ignored) {
                // gone already
            }
        }
        closeStdin();
        fifos.delete();
    }
}
