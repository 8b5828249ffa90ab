package io.jcontainerd.supervisor.docker.containers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Restart policies at work: after a run ends, the container is "restarting" for a delay that
 * starts at 100 ms and doubles with each restart (back to 100 ms after a run of 10 s or more),
 * then started again with RestartCount one higher. A client's stop, kill, start or remove cancels
 * a pending restart.
 */
final class Restarts {
    private static final Logger LOG = Logger.getLogger(Restarts.class.getName());
    private final ContainerManager manager;
    /** The last delay used per container (the next one doubles it). */
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    /** The pending restart per container; removing it cancels it. */
    private final Map<String, Thread> pending = new ConcurrentHashMap<>();

    Restarts(ContainerManager manager) {
        this.manager = manager;
    }

    /**
     * Called when a run of {@code c} ended with {@code exitCode} after running {@code ranFor}:
     * true if the policy restarts it (its state is then "restarting").
     */
    boolean afterExit(LiveContainer c, int exitCode, Duration ranFor) {
        ContainerDocument d = c.doc();
        RestartPolicy policy = d.restartPolicy();
        if (c.removing || !policy.restartsAfter(exitCode, d.manuallyStopped() || c.stopping, d.restartCount())) {
            delays.remove(c.id());
            return false;
        }
        Duration delay = RestartPolicy.nextDelay(delays.get(c.id()), ranFor);
        delays.put(c.id(), delay);
        schedule(c, delay, false);
        return true;
    }

    /**
     * Starts {@code c} again after {@code delay} (state "restarting" meanwhile) unless cancelled;
     * RestartCount one higher, or 0 with {@code reset} (a start by the daemon's own start, as dockerd's).
     */
    void schedule(LiveContainer c, Duration delay, boolean reset) {
        synchronized (c) {
            ContainerDocument d = c.doc();
            c.doc(d.withState(d.state().toRestarting()));
            manager.persist(c);
        }
        Thread t = Thread.ofVirtual().name("docker-restart-" + c.id().substring(0, 12)).unstarted(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            restart(c, reset);
        });
        pending.put(c.id(), t);
        t.start();
    }

    private void restart(LiveContainer c, boolean reset) {
        synchronized (c) {
            if (pending.remove(c.id()) != Thread.currentThread() || c.removing || !c.doc().state().restarting()) {
                return;
            }
            ContainerDocument d = c.doc();
            c.doc(d.withRestarts(reset ? 0 : d.restartCount() + 1, false));
            try {
                manager.startRun(c);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "restarting container " + c.id() + " failed", e);
                ContainerDocument now = c.doc();
                if (now.state().status().equals("restarting")) {
                    c.doc(now.withState(now.state().exited(now.state().exitCode(), Instant.now().toString(),
                            "restart failed: " + e.getMessage())));
                    manager.persist(c);
                }
                return;
            }
        }
        manager.emit(c, "restart", Map.of());
    }

    /**
     * Cancels a pending restart of {@code c}: true if there was one (its state is then "exited"
     * with the last run's exit code).
     */
    boolean cancel(LiveContainer c) {
        Thread t = pending.remove(c.id());
        if (t != null) {
            t.interrupt();
        }
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!d.state().restarting()) {
                return t != null;
            }
            c.doc(d.withState(d.state().exited(d.state().exitCode(), d.state().finishedAt(), "")));
            manager.persist(c);
            return true;
        }
    }

    void forget(String id) {
        delays.remove(id);
        Thread t = pending.remove(id);
        if (t != null) {
            t.interrupt();
        }
    }
}
