package io.jcontainerd.supervisor.tasks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The spare: one idle shim kept started, so that a new group's first task does not wait for a
 * JVM to boot. {@link #take} hands it to exactly one caller (waiting for it if it is still
 * booting). A new one is started once there has been no spare for {@link #REFILL_DELAY}: a
 * group's shim whose last task left becomes the spare when there is none ({@link #offer}), so
 * back-to-back {@code run --rm} reuse one shim instead of booting one each. With the spare off,
 * every new group boots its shim.
 *
 * <p>Unless {@code whileRunning}, there is a spare only while no group runs ({@code groupsRunning}
 * false): taking it starts no other while its group runs, and a group's idle shim is kept as the spare
 * only when it was the last group. A namespace in use then costs one JVM instead of two (the spare's
 * PSS is as large as a group shim's); a second group started meanwhile boots its own shim.
 */
final class SpareShims implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpareShims.class.getName());
    static final Duration REFILL_DELAY = Duration.ofSeconds(1);

    private final ShimLauncher launcher;
    private final boolean enabled;
    private final boolean whileRunning;
    private final BooleanSupplier groupsRunning;
    private CompletableFuture<Shim> spare;
    /** When the spare was last taken (System.nanoTime). */
    private long takenAt;
    private Thread refiller;
    private boolean closed;
    private CompletableFuture<Shim> closedWith;

    /**
     * @param whileRunning  keep a spare beside running groups too
     * @param groupsRunning whether any group has a shim (or is getting one); called under this object's lock
     */
    SpareShims(ShimLauncher launcher, boolean enabled, boolean whileRunning, BooleanSupplier groupsRunning) {
        this.launcher = launcher;
        this.enabled = enabled;
        this.whileRunning = whileRunning;
        this.groupsRunning = groupsRunning;
        this.takenAt = System.nanoTime() - REFILL_DELAY.toNanos();
    }

    /** Starts the first spare, in the background. */
    void start() {
        refill(Duration.ZERO);
    }

    /** A shim for a new group: the spare if there is one (each goes to one caller only), else a new one. */
    Shim take() {
        CompletableFuture<Shim> taken;
        synchronized (this) {
            taken = spare;
            spare = null;
            takenAt = System.nanoTime();
        }
        refill(REFILL_DELAY);
        if (taken != null) {
            try {
                Shim shim = taken.join();
                if (shim.alive()) {
                    return shim;
                }
                LOG.warning(() -> "the spare " + shim + " died while idle: " + shim.bury());
            } catch (CompletionException e) {
                LOG.warning(() -> "the spare shim failed to start (" + e.getCause().getMessage() + "); starting another");
            }
        }
        return launcher.launch();
    }

    /** 1 while a spare boots or waits alive for a group, else 0. */
    synchronized int count() {
        CompletableFuture<Shim> s = spare;
        return s != null && !s.isCompletedExceptionally() && (!s.isDone() || s.join().alive()) ? 1 : 0;
    }

    /** Keeps {@code shim}, which runs no task any more, as the spare; false if one is there already (or none is wanted). */
    synchronized boolean offer(Shim shim) {
        if (!enabled || closed || spare != null || !shim.alive() || (!whileRunning && groupsRunning.getAsBoolean())) {
            return false;
        }
        spare = CompletableFuture.completedFuture(shim);
        return true;
    }

    /** The last group ended without leaving its shim as the spare (it died, or one is there already): one follows if none is there. */
    void groupsEnded() {
        refill(REFILL_DELAY);
    }

    private synchronized void refill(Duration delay) {
        if (!enabled || closed || refiller != null) {
            return;
        }
        refiller = Thread.ofVirtual().name("spare-shim").start(() -> refillLoop(delay));
    }

    /** Boots spares until one stays: a take while one boots gets that one, and another follows a delay later. */
    private void refillLoop(Duration delay) {
        try {
            Thread.sleep(delay);
            while (true) {
                CompletableFuture<Shim> booting = new CompletableFuture<>();
                long wait;
                synchronized (this) {
                    // with groups running and no spare wanted beside them: the last group's end calls again
                    if (closed || spare != null || (!whileRunning && groupsRunning.getAsBoolean())) {
                        refiller = null;
                        return;
                    }
                    // taken again since (a group's idle shim was the spare meanwhile): wait on from then
                    wait = takenAt + REFILL_DELAY.toNanos() - System.nanoTime();
                    if (wait <= 0) {
                        spare = booting;
                    }
                }
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                    continue;
                }
                if (!boot(booting)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                if (refiller == Thread.currentThread()) {
                    refiller = null;
                }
            }
        }
    }

    /** Starts the shim {@code booting} stands for; false if it failed or the spares were closed meanwhile. */
    private boolean boot(CompletableFuture<Shim> booting) {
        Shim shim;
        try {
            shim = launcher.launch();
        } catch (RuntimeException e) {
            LOG.warning(() -> "cannot start a spare shim: " + e.getMessage());
            synchronized (this) {
                if (spare == booting) {
                    spare = null;
                }
            }
            booting.completeExceptionally(e);
            return false;
        }
        booting.complete(shim);
        LOG.fine(() -> "spare " + shim + " started");
        boolean abandoned;
        synchronized (this) {
            if (!closed) {
                return true;
            }
            // closed while it booted: stop it unless a group took it first
            abandoned = closedWith == booting;
        }
        if (abandoned) {
            shim.retireNow();
        }
        return false;
    }

    /** Stops the spare (and one still booting). Group shims are not touched. */
    @Override
    public void close() {
        CompletableFuture<Shim> left;
        Thread booting;
        synchronized (this) {
            closed = true;
            left = spare;
            closedWith = left;
            spare = null;
            booting = refiller;
        }
        if (booting != null) {
            booting.interrupt();
            try {
                booting.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (left != null && left.isDone() && !left.isCompletedExceptionally()) {
            left.join().retireNow();
        }
    }
}
