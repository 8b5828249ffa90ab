package io.jcontainerd.supervisor.cri;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Copies a container's stdout and stderr FIFOs into its CRI log file, one thread per stream,
 * until the process's last writer closes them. Lives as long as the task's process; the daemon
 * holds no write end, so the copy ends on its own when the process and the shim let go.
 */
final class ContainerLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerLog.class.getName());
    private final Fifos fifos;
    private final Path logFile;
    private OutputStream file;
    private final CriLogWriter writer;
    private final CountDownLatch done = new CountDownLatch(2);
    private final boolean[] opened = new boolean[2];
    private final List<Tap> taps = new CopyOnWriteArrayList<>();

    /** An attached client: gets each piece of output after the log (stream 1 stdout, 2 stderr); a failing tap is dropped. */
    interface Tap {
        void output(int stream, byte[] data, int len) throws IOException;
    }

    private ContainerLog(Fifos fifos, Path logFile, OutputStream file) {
        this.fifos = fifos;
        this.logFile = logFile;
        this.file = file;
        this.writer = new CriLogWriter(file, Clock.systemUTC(), CriLogWriter.DEFAULT_MAX_LINE);
    }

    /** Starts copying {@code fifos} into {@code logFile} (created 0640 if missing, appended to; null: no log, only taps). */
    static ContainerLog start(Fifos fifos, Path logFile, String containerId) throws IOException {
        OutputStream out = logFile == null ? OutputStream.nullOutputStream() : new FileOutputStream(logFile.toFile(), true);
        ContainerLog log = new ContainerLog(fifos, logFile, out);
        log.copy(CriLogWriter.Stream.STDOUT, fifos.stdout(), containerId);
        log.copy(CriLogWriter.Stream.STDERR, fifos.stderr(), containerId);
        return log;
    }

    private void copy(CriLogWriter.Stream stream, Path fifo, String containerId) {
        Thread.ofPlatform().daemon().name("cri-log-" + stream.name().toLowerCase() + "-" + containerId.substring(0, Math.min(12, containerId.length())))
                .stackSize(256 * 1024).start(() -> {
                    byte[] buf = new byte[32 * 1024];
                    try (InputStream in = Fifos.openForReading(fifo)) {
                        synchronized (opened) {
                            opened[stream.ordinal()] = true;
                        }
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            writer.write(stream, buf, 0, n);
                            writer.flush();
                            for (Tap t : taps) {
                                try {
                                    t.output(stream.ordinal() + 1, buf, n);
                                } catch (IOException e) {
                                    taps.remove(t);
                                }
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.warning(() -> "container " + containerId + ": copying " + stream + " to its log stopped: " + e.getMessage());
                    } finally {
                        writer.endOfStream(stream);
                        done.countDown();
                    }
                });
    }

    void tap(Tap t) {
        taps.add(t);
    }

    void untap(Tap t) {
        taps.remove(t);
    }

    /** Both streams have ended (the process and the shim let go). */
    boolean ended() {
        return done.getCount() == 0;
    }

    /**
     * ReopenContainerLog: the log file is opened again by its path (kubelet renamed the old one) and
     * the copy continues there; lines already written stay in the old file, none is lost or split.
     * False when the container has no log file.
     */
    boolean reopen() throws IOException {
        if (logFile == null) {
            return false;
        }
        OutputStream next = new FileOutputStream(logFile.toFile(), true);
        OutputStream previous;
        synchronized (this) {
            previous = writer.redirect(next);
            file = next;
        }
        previous.close();
        return true;
    }

    /** Waits up to {@code millis} for both streams to end. */
    boolean await(long millis) {
        try {
            return done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends the copy: readers still waiting for a writer are let through; waits briefly for the rest, closes the file. */
    @Override
    public void close() {
        boolean[] o;
        synchronized (opened) {
            o = opened.clone();
        }
        if (!o[0]) {
            Fifos.release(fifos.stdout());
        }
        if (!o[1]) {
            Fifos.release(fifos.stderr());
        }
        await(5000);
        try {
            synchronized (this) {
                file.close();
            }
        } catch (IOException ignored) {
            // every line was flushed as written
        }
    }
}
