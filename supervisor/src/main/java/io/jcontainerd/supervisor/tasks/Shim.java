package io.jcontainerd.supervisor.tasks;

import io.jcontainerd.api.shim.v1.ShutdownRequest;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.ttrpc.TtrpcException;
import io.jcontainerd.shim.ShimClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One shim process as the supervisor sees it: the socket it answers on, its pid (and start time,
 * so a reused pid is not taken for it), its log, and the one connection every task of its group
 * shares. Files: {@code <state>/s/<name>.sock} and {@code <state>/s/<name>.log}.
 */
final class Shim {
    private static final Logger LOG = Logger.getLogger(Shim.class.getName());
    private static final long EXIT_WAIT_MS = 10_000;

    private final String name;
    private final Path socket;
    private final Path log;
    private final long pid;
    private final Instant started;
    private final ShimClient client;
    private final AtomicBoolean done = new AtomicBoolean();

    /** @param started when the process started, or null if unknown */
    Shim(String name, Path socket, Path log, long pid, Instant started, ShimClient client) {
        this.name = name;
        this.socket = socket;
        this.log = log;
        this.pid = pid;
        this.started = started;
        this.client = client;
    }

    String name() {
        return name;
    }

    Path socket() {
        return socket;
    }

    long pid() {
        return pid;
    }

    /** The shim's API over the one connection of this daemon. */
    ShimClient api() {
        return client;
    }

    /** Whether the shim's process still runs (the same process: a reused pid does not count). */
    boolean alive() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> started == null || h.info().startInstant().map(started::equals).orElse(true))
                .orElse(false);
    }

    /**
     * Asks the shim to exit (it does only once it runs no task), closes the connection, and removes
     * its log once the process is gone, in the background. Idempotent.
     */
    void retire() {
        if (askToExit()) {
            Thread.ofVirtual().name("retire-shim-" + pid).start(this::awaitExit);
        }
    }

    /** {@link #retire} and wait for the exit (the daemon stops: nothing would remove the log later). */
    void retireNow() {
        if (askToExit()) {
            awaitExit();
        }
    }

    private boolean askToExit() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        try {
            client.withTimeout(Duration.ofSeconds(5)).shutdown(ShutdownRequest.getDefaultInstance());
        } catch (TtrpcException | JcdException e) {
            // it may exit before its answer is sent; whether it went is checked after
        }
        client.close();
        return true;
    }

    private void awaitExit() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS);
        while (alive() && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (alive()) {
            LOG.warning(() -> this + " was asked to exit but still runs after " + EXIT_WAIT_MS + " ms; its log " + log + " is kept");
            return;
        }
        deleteQuietly(socket);
        deleteQuietly(log);
    }

    /**
     * After the process died: closes the connection, removes its socket and log, and returns the
     * log's last lines; null if it was buried (or retired) already.
     */
    String bury() {
        if (!done.compareAndSet(false, true)) {
            return null;
        }
        String tail = tail(log);
        client.close();
        deleteQuietly(socket);
        deleteQuietly(log);
        return tail;
    }

    /** Closes the connection only: the shim runs on without this supervisor (daemon stop). */
    void disconnect() {
        if (done.compareAndSet(false, true)) {
            client.close();
        }
    }

    /** The end of a shim's log, for error messages. */
    static String tail(Path log) {
        try {
            String s = Files.readString(log).strip();
            return s.isEmpty() ? "(its log is empty)" : s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no shim log at " + log + ")";
        }
    }

    @Override
    public String toString() {
        return "shim " + name + " (pid " + pid + ")";
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.fine(() -> "cannot remove " + p + ": " + e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
