package io.jcontainerd.supervisor.docker.containers;

import java.util.Map;

/**
 * Hears what happens to containers, named as Docker's events name it (create, start, die,
 * stop, kill, restart, pause, unpause, rename, destroy, health_status: healthy, ...), with the
 * event's own attributes (exitCode, signal, oldName). Called on the thread that made it happen:
 * it must return quickly.
 */
@FunctionalInterface
public interface ContainerListener {
    void on(LiveContainer c, String action, Map<String, String> attributes);

    /**
     * The container joined ({@code connect}) or left ({@code disconnect}) {@code network}: as dockerd,
     * when a run starts (before its start event) and when it ends (after its die event).
     */
    default void onNetwork(LiveContainer c, String action, Networking.Attached network) {
    }
}
