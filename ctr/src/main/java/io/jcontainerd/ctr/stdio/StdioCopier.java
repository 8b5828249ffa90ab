package io.jcontainerd.ctr.stdio;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Copies our stdin into a process's stdin FIFO and its stdout/stderr FIFOs to our own, on
 * threads that start before the task does (opening a FIFO blocks until the shim opens the other
 * end). Output copies end at EOF, which the shim gives when the process has exited.
 */
public final class StdioCopier {
    private final List<Thread> outputs = new ArrayList<>();

    private StdioCopier() {
    }

    public static StdioCopier start(FifoSet fifos, boolean forwardStdin) {
        StdioCopier c = new StdioCopier();
        c.outputs.add(copyFrom(fifos.stdout(), new FileOutputStream(FileDescriptor.out), "stdout"));
        if (fifos.stderr() != null) {
            c.outputs.add(copyFrom(fifos.stderr(), new FileOutputStream(FileDescriptor.err), "stderr"));
        }
        if (forwardStdin) {
            Thread.ofPlatform().daemon().name("stdin").start(() -> {
                try (OutputStream to = new FileOutputStream(fifos.stdin().toFile())) {
                    pump(new FileInputStream(FileDescriptor.in), to);
                } catch (IOException ignored) {
                    // the process closed its stdin or exited: nothing more to send
                }
            });
        }
        return c;
    }

    private static Thread copyFrom(Path fifo, OutputStream to, String name) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try (InputStream from = new FileInputStream(fifo.toFile())) {
                pump(from, to);
            } catch (IOException ignored) {
                // the FIFO went away: the task is being deleted
            }
        });
    }

    private static void pump(InputStream from, OutputStream to) throws IOException {
        byte[] buf = new byte[32 * 1024];
        int n;
        while ((n = from.read(buf)) >= 0) {
            to.write(buf, 0, n);
            to.flush();
        }
    }

    /** Waits until the process's output has been copied, at most {@code timeout} ms in all. */
    public void awaitOutput(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread t : outputs) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
