package io.jcontainerd.supervisor.docker.events;

import io.jcontainerd.supervisor.docker.containers.ContainerListener;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.containers.Networking;

import java.util.HashMap;
import java.util.Map;

/**
 * Container events as dockerd attributes them: the labels, the image and the name, then the event's own;
 * and the network events of a run (connect, disconnect) as dockerd's: the network's ID, its name and
 * type, the container's ID.
 */
public record ContainerEvents(EventBus bus) implements ContainerListener {
    @Override
    public void on(LiveContainer c, String action, Map<String, String> extra) {
        Map<String, String> attrs = new HashMap<>();
        c.doc().config().path("Labels").properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
        attrs.put("image", c.doc().image());
        attrs.put("name", c.doc().name());
        attrs.putAll(extra);
        bus.publish(DockerEvent.now("container", action, c.id(), attrs));
    }

    @Override
    public void onNetwork(LiveContainer c, String action, Networking.Attached network) {
        bus.publish(DockerEvent.now("network", action, network.id(),
                Map.of("container", c.id(), "name", network.name(), "type", network.type())));
    }
}
