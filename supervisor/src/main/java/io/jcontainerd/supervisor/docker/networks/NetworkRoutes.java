package io.jcontainerd.supervisor.docker.networks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.network.Endpoint;
import io.jcontainerd.network.Network;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.events.DockerEvent;
import io.jcontainerd.supervisor.docker.events.EventBus;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /networks/...} backed by the network module: the default {@code bridge}, user networks
 * (create, inspect with IPAM.Config[].Gateway, rm, connect, disconnect, prune), and the
 * {@code host} and {@code none} pseudo-networks dockerd lists too.
 */
public final class NetworkRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NetworkManager networks;
    private final ContainerManager containers;

    private final EventBus events;

    public NetworkRoutes(NetworkManager networks, ContainerManager containers, EventBus events) {
        this.events = events;
        this.networks = networks;
        this.containers = containers;
    }

    public void register(Router r) {
        r.add("GET", "/networks", this::list)
                .add("POST", "/networks/create", this::create)
                .add("POST", "/networks/prune", this::prune)
                .add("GET", "/networks/{id}", (q, x) -> x.json(200, inspect(q.param("id"))))
                .add("DELETE", "/networks/{id}", (q, x) -> {
                    String ref = q.param("id");
                    if (ref.equals("host") || ref.equals("none")) {
                        throw DockerApiException.conflict("%s is a pre-defined network and cannot be removed", ref);
                    }
                    Network gone = networks.network(ref);
                    networks.removeNetwork(ref);
                    event("destroy", gone, null);
                    x.noContent();
                })
                .add("POST", "/networks/{id}/connect", (q, x) -> {
                    JsonNode b = q.json();
                    LiveContainer c = containers.lookup(b.path("Container").asText(""));
                    List<String> aliases = new ArrayList<>();
                    b.path("EndpointConfig").path("Aliases").forEach(a -> aliases.add(a.asText()));
                    Network n = containers.connect(c, q.param("id"), aliases);
                    event("connect", n, c.id());
                    x.status(200);
                })
                .add("POST", "/networks/{id}/disconnect", (q, x) -> {
                    LiveContainer c = containers.lookup(q.json().path("Container").asText(""));
                    Network n = containers.disconnect(c, q.param("id"));
                    event("disconnect", n, c.id());
                    x.status(200);
                });
    }

    /** A network event as dockerd 20.10 sends it: the network's ID, its name and type, the container for (dis)connect. */
    private void event(String action, Network n, String containerId) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("name", n.name());
        attrs.put("type", "bridge");
        if (containerId != null) {
            attrs.put("container", containerId);
        }
        events.publish(DockerEvent.now("network", action, n.id(), attrs));
    }

    void list(Request q, Exchange x) {
        ArrayNode a = JSON.createArrayNode();
        for (Network n : networks.networks()) {
            a.add(json(n, false));
        }
        a.add(pseudo("host"));
        a.add(pseudo("none"));
        x.json(200, a);
    }

    ObjectNode inspect(String ref) {
        if (ref.equals("host") || ref.equals("none") || ref.equals(pseudoId("host")) || ref.equals(pseudoId("none"))) {
            return pseudo(ref.equals("host") || ref.equals(pseudoId("host")) ? "host" : "none");
        }
        return json(networks.network(ref), true);
    }

    void create(Request q, Exchange x) {
        JsonNode b = q.json();
        String name = b.path("Name").asText("");
        if (name.isEmpty()) {
            throw DockerApiException.badRequest("network name (Name) is required");
        }
        String driver = b.path("Driver").asText("");
        if (!driver.isEmpty() && !driver.equals("bridge")) {
            throw DockerApiException.badRequest("network driver %s is not supported: only bridge networks", driver);
        }
        if (b.path("Internal").asBoolean(false) || b.path("EnableIPv6").asBoolean(false)) {
            throw DockerApiException.badRequest("internal and IPv6 networks are not supported by jcontainerd");
        }
        if (name.equals("host") || name.equals("none")) {
            throw DockerApiException.conflict("network with name %s already exists", name);
        }
        String subnet = b.path("IPAM").path("Config").path(0).path("Subnet").asText("");
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        Network n = networks.createNetwork(name, subnet, labels);
        event("create", n, null);
        x.json(201, JSON.createObjectNode().put("Id", n.id()).put("Warning", ""));
    }

    void prune(Request q, Exchange x) {
        ArrayNode deleted = JSON.createArrayNode();
        for (Network n : networks.networks()) {
            if (!n.predefined() && networks.attached(n.name()).isEmpty()) {
                networks.removeNetwork(n.name());
                event("destroy", n, null);
                deleted.add(n.name());
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("NetworksDeleted", deleted.isEmpty() ? null : deleted);
        x.json(200, out);
    }

    private ObjectNode json(Network n, boolean withContainers) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Name", n.name()).put("Id", n.id()).put("Created", n.created()).put("Scope", "local").put("Driver", "bridge")
                .put("EnableIPv6", false);
        ObjectNode ipam = o.putObject("IPAM").put("Driver", "default");
        ipam.putNull("Options");
        ipam.putArray("Config").addObject().put("Subnet", n.subnet()).put("Gateway", n.gateway());
        o.put("Internal", false).put("Attachable", false).put("Ingress", false);
        o.putObject("ConfigFrom").put("Network", "");
        o.put("ConfigOnly", false);
        ObjectNode cs = o.putObject("Containers");
        if (withContainers) {
            for (Sandbox s : networks.attached(n.name())) {
                if (!s.namespace().equals(containers.containerd().namespace())) {
                    continue;
                }
                // as dockerd: the containers with an endpoint, i.e. the running ones (the endpoint goes at the exit)
                Endpoint e = s.endpoint(n.name()).orElse(null);
                var c = containers.find(s.containerId()).filter(LiveContainer::running);
                if (e != null && c.isPresent()) {
                    cs.putObject(s.containerId()).put("Name", c.get().doc().name()).put("EndpointID", e.ifName()).put("MacAddress", e.mac())
                            .put("IPv4Address", e.address() + "/" + e.prefixLength()).put("IPv6Address", "");
                }
            }
        }
        ObjectNode opts = o.putObject("Options");
        opts.put("com.docker.network.bridge.name", n.bridge());
        ObjectNode labels = o.putObject("Labels");
        n.labels().forEach(labels::put);
        return o;
    }

    static String pseudoId(String name) {
        return io.jcontainerd.supervisor.docker.containers.Networking.pseudoId(name);
    }

    static ObjectNode pseudo(String name) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", name).put("Id", pseudoId(name)).put("Created", "0001-01-01T00:00:00Z").put("Scope", "local")
                .put("Driver", name.equals("none") ? "null" : "host").put("EnableIPv6", false);
        ObjectNode ipam = n.putObject("IPAM").put("Driver", "default");
        ipam.putNull("Options");
        ipam.putArray("Config");
        n.put("Internal", false).put("Attachable", false).put("Ingress", false);
        n.putObject("ConfigFrom").put("Network", "");
        n.put("ConfigOnly", false);
        n.putObject("Containers");
        n.putObject("Options");
        n.putObject("Labels");
        return n;
    }
}
