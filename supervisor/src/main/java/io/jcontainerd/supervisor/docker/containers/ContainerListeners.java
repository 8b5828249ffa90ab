package io.jcontainerd.supervisor.docker.containers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Who hears of container events (the events stream, health checks); a failing listener never fails the caller. */
final class ContainerListeners {
    private static final Logger LOG = Logger.getLogger(ContainerListeners.class.getName());

    private final List<ContainerListener> listeners = new CopyOnWriteArrayList<>();
    private final Networking networking;

    ContainerListeners(Networking networking) {
        this.networking = networking;
    }

    void add(ContainerListener l) {
        listeners.add(l);
    }

    /** Tells the listeners; a failing listener is logged, never the caller's failure. */
    void emit(LiveContainer c, String action, Map<String, String> attributes) {
        for (ContainerListener l : listeners) {
            try {
                l.on(c, action, attributes);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a listener of container " + c.id() + " failed on " + action, e);
            }
        }
    }

    /** The networks a run of the container is on now, for its connect and disconnect events. */
    List<Networking.Attached> attachedNow(LiveContainer c) {
        try {
            return networking.attached(c.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listing the networks of container " + c.id() + " for its network events failed", e);
            return List.of();
        }
    }

    /** Tells the listeners that a run joined or left its networks (connect, disconnect). */
    void emitNetworks(LiveContainer c, String action, List<Networking.Attached> networks) {
        for (Networking.Attached n : networks) {
            for (ContainerListener l : listeners) {
                try {
                    l.onNetwork(c, action, n);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a listener of container " + c.id() + " failed on network " + action, e);
                }
            }
        }
    }
}
