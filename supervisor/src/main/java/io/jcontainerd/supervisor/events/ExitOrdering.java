package io.jcontainerd.supervisor.events;

/**
 * How a forwarded {@code /tasks/exit} is released: through the task manager, which holds it until
 * that task's {@code /tasks/start} has been published (dockerd matches an exit to the pid of the
 * start it saw). Until a task manager is attached, exits go straight out.
 */
public final class ExitOrdering {
    /** Runs {@code publish} when the exit of {@code containerId} in {@code ns} may go out. */
    @FunctionalInterface
    public interface Gate {
        void release(String ns, String containerId, Runnable publish);
    }

    private volatile Gate gate = (ns, id, publish) -> publish.run();

    public void use(Gate gate) {
        this.gate = gate;
    }

    public void release(String ns, String containerId, Runnable publish) {
        gate.release(ns, containerId, publish);
    }
}
