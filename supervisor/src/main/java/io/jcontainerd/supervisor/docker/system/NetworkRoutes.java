package io.jcontainerd.supervisor.docker.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Router;

import java.util.List;

/**
 * The networks there are without the bridge: {@code host} and {@code none}, listed and
 * inspected as dockerd shows them. Creating networks needs the networking module and is a 400
 * naming that, never a pretended success.
 */
public final class NetworkRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("host", "none");

    public void register(Router r) {
        r.add("GET", "/networks", (q, x) -> {
            ArrayNode a = JSON.createArrayNode();
            NAMES.forEach(n -> a.add(network(n)));
            x.json(200, a);
        }).add("GET", "/networks/{id}", (q, x) -> {
            String id = q.param("id");
            String name = NAMES.stream().filter(n -> n.equals(id) || id.equals(networkId(n))).findFirst()
                    .orElseThrow(() -> DockerApiException.notFound("network %s not found", id));
            x.json(200, network(name));
        }).add("POST", "/networks/create", (q, x) -> {
            throw DockerApiException.badRequest("creating networks is not supported yet: jcontainerd's Docker API has only host and none");
        }).add("POST", "/networks/prune", (q, x) -> x.json(200, JSON.createObjectNode().putNull("NetworksDeleted")));
    }

    static String networkId(String name) {
        return String.format("%064x", new java.math.BigInteger(1, name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static ObjectNode network(String name) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", name).put("Id", networkId(name)).put("Created", "0001-01-01T00:00:00Z").put("Scope", "local")
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
