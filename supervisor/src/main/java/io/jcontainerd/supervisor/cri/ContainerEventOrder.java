package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerEventType;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order of a container's CRI events as containerd's cri keeps it (its RemoveContainer stops the
 * container and handles the exit first): CREATED, STARTED, STOPPED, DELETED, with a STOPPED before the
 * DELETED of every container that ran. The daemon's bus can carry a task's exit after the container's
 * delete (RemoveContainer of a running container: the shim's exit event comes on its own connection);
 * then the STOPPED is sent at the delete, just before the DELETED, and the late exit is dropped.
 * Not thread-safe: CriEvents' one reader thread calls it.
 */
final class ContainerEventOrder {
    /** How many deleted ids are remembered to drop their late exits. */
    static final int DELETED_REMEMBERED = 4096;
    private final Set<String> running = new HashSet<>();
    private final Map<String, Boolean> deleted = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DELETED_REMEMBERED;
        }
    };

    /** {@code id} runs already (found so at daemon start): its DELETED comes after a STOPPED. */
    void running(String id) {
        running.add(id);
    }

    /** The CRI events the bus event of type {@code type} for {@code id} becomes, in order (none, one or two). */
    List<ContainerEventType> on(String id, ContainerEventType type) {
        return switch (type) {
            case CONTAINER_CREATED_EVENT -> {
                deleted.remove(id); // an id used again
                yield List.of(type);
            }
            case CONTAINER_STARTED_EVENT -> {
                if (deleted.containsKey(id)) {
                    yield List.of();
                }
                running.add(id);
                yield List.of(type);
            }
            case CONTAINER_STOPPED_EVENT -> {
                running.remove(id);
                yield deleted.containsKey(id) ? List.of() : List.of(type); // a late exit: its STOPPED went with the delete
            }
            case CONTAINER_DELETED_EVENT -> {
                deleted.put(id, Boolean.TRUE);
                yield running.remove(id) ? List.of(ContainerEventType.CONTAINER_STOPPED_EVENT, type) : List.of(type);
            }
            default -> List.of(type);
        };
    }
}
