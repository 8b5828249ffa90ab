package io.jcontainerd.supervisor.docker.containers;

import java.util.List;

/**
 * A network a container is connected to, kept with the container whether it runs or not (dockerd's
 * NetworkSettings.Networks key): the endpoint itself exists only while it runs.
 *
 * @param name    the network's name
 * @param id      the network's ID, as dockerd shows it: "" until the container first ran on it
 * @param aliases its {@code --network-alias}es there
 */
public record NetworkAttachment(String name, String id, List<String> aliases) {
    public NetworkAttachment {
        id = id == null ? "" : id;
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    NetworkAttachment withId(String networkId) {
        return new NetworkAttachment(name, networkId, aliases);
    }
}
