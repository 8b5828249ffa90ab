package io.jcontainerd.supervisor.docker.health;

import io.jcontainerd.supervisor.docker.containers.ContainerListener;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.Health;
import io.jcontainerd.supervisor.docker.containers.HealthCheck;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.exec.ExecManager;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each running container's health check: a probe every interval (the first one interval
 * after the start), as an exec through the facade's exec path; the result goes into
 * State.Health and a change of status is a {@code health_status: <status>} event. A run's
 * monitor ends with the run.
 */
public final class HealthMonitor implements ContainerListener {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class.getName());
    /** dockerd keeps this much of a probe's output. */
    static final int MAX_OUTPUT = 4096;
    private final ContainerManager containers;
    private final ExecManager execs;
    /** The monitor thread per container: one run, one monitor. */
    private final Map<String, Thread> monitors = new ConcurrentHashMap<>();

    public HealthMonitor(ContainerManager containers, ExecManager execs) {
        this.containers = containers;
        this.execs = execs;
    }

    /** Listens for starts and ends; monitors the containers already running (found again at daemon start). */
    public HealthMonitor start() {
        containers.listen(this);
        for (LiveContainer c : containers.all()) {
            if (c.running()) {
                begin(c);
            }
        }
        return this;
    }

    @Override
    public void on(LiveContainer c, String action, Map<String, String> attributes) {
        switch (action) {
            case "start" -> begin(c);
            case "die", "destroy" -> end(c.id());
            default -> {
            }
        }
    }

    private void begin(LiveContainer c) {
        Optional<HealthCheck> check = HealthCheck.of(c.doc().config());
        if (check.isEmpty()) {
            return;
        }
        String run = c.doc().state().startedAt();
        Thread t = Thread.ofVirtual().name("docker-health-" + c.id().substring(0, 12)).unstarted(() -> monitor(c, check.get(), run));
        Thread old = monitors.put(c.id(), t);
        if (old != null) {
            old.interrupt();
        }
        t.start();
    }

    private void end(String id) {
        Thread t = monitors.remove(id);
        if (t != null) {
            t.interrupt();
        }
    }

    private void monitor(LiveContainer c, HealthCheck check, String run) {
        Instant startedAt = Instant.parse(run);
        try {
            while (true) {
                Thread.sleep(check.interval());
                if (!sameRun(c, run)) {
                    return;
                }
                Instant start = Instant.now();
                ExecManager.ProbeResult r = execs.probe(c, check.argv(), check.timeout(), MAX_OUTPUT);
                Instant end = Instant.now();
                if (Thread.currentThread().isInterrupted() || !sameRun(c, run)) {
                    return;
                }
                boolean inStartPeriod = Duration.between(startedAt, start).compareTo(check.startPeriod()) < 0;
                Health.Result result = new Health.Result(start.toString(), end.toString(), r.exitCode(), r.output());
                Health.Transition changed = containers.updateHealth(c, run, h -> h.after(result, check.retries(), inStartPeriod));
                if (changed != null && !changed.before().equals(changed.after())) {
                    containers.emit(c, "health_status: " + changed.after(), Map.of());
                }
            }
        } catch (InterruptedException e) {
            // the run ended
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "health check of container " + c.id() + " stopped", e);
        } finally {
            monitors.remove(c.id(), Thread.currentThread());
        }
    }

    private static boolean sameRun(LiveContainer c, String run) {
        return c.running() && c.doc().state().startedAt().equals(run);
    }
}
