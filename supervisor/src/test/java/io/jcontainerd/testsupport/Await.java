package io.jcontainerd.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Waits for something a test can observe, polling it until a deadline, instead of sleeping for a
 * fixed time the loaded machine may not honour. Fails naming what never became true.
 */
public final class Await {
    private static final long POLL_MS = 50;

    private Await() {
    }

    /** Polls {@code condition} every 50 ms until it holds; an AssertionError naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still not so after " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    /**
     * Waits until {@code ctr events}, started with its output in {@code eventsOut}, is subscribed:
     * Subscribe has no acknowledgement, so a probe namespace is created (and removed) until its event
     * shows in the output.
     */
    public static void subscribed(Path socket, Path eventsOut) {
        String probe = "subscribed-probe-" + Long.toHexString(System.nanoTime());
        until("ctr events is subscribed (the probe namespace " + probe + "'s create event arrived)", Duration.ofSeconds(30), () -> {
            Cli.run(List.of("/usr/bin/ctr", "-a", socket.toString(), "namespaces", "create", probe));
            Cli.run(List.of("/usr/bin/ctr", "-a", socket.toString(), "namespaces", "rm", probe));
            try {
                return Files.exists(eventsOut) && Files.readString(eventsOut).contains(probe);
            } catch (IOException e) {
                return false;
            }
        });
    }
}
