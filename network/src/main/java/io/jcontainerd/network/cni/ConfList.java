package io.jcontainerd.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network configuration list ("conflist"): a network name, the CNI version, and the plugins
 * chained on it, as {@code /etc/cni/net.d/*.conflist} holds them.
 */
public record ConfList(String cniVersion, String name, List<ObjectNode> plugins) {
    public static final String CNI_VERSION = "1.0.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TEXT = 256 * 1024;

    public ConfList {
        if (plugins.isEmpty()) {
            throw JcdException.invalidArgument("CNI network %s has no plugins", name);
        }
        for (ObjectNode p : plugins) {
            if (!p.path("type").isTextual()) {
                throw JcdException.invalidArgument("CNI network %s has a plugin without a \"type\": %s", name, p);
            }
        }
        plugins = List.copyOf(plugins);
    }

    /** The conflist JSON, as stored with an attachment so DEL runs what ADD ran. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("cniVersion", cniVersion);
        root.put("name", name);
        ArrayNode arr = root.putArray("plugins");
        plugins.forEach(p -> arr.add(p.deepCopy()));
        return root.toString();
    }

    public static ConfList parse(String json) {
        if (json.length() > MAX_TEXT) {
            throw JcdException.invalidArgument("CNI conflist is %d characters long: at most %d are accepted", json.length(), MAX_TEXT);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw JcdException.invalidArgument("CNI conflist is not JSON: %s", e.getMessage());
        }
        if (root == null || !root.path("name").isTextual() || !root.path("plugins").isArray()) {
            throw JcdException.invalidArgument("CNI conflist needs a \"name\" and a \"plugins\" array");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        for (JsonNode p : root.get("plugins")) {
            if (!p.isObject()) {
                throw JcdException.invalidArgument("CNI conflist %s: a plugin is not an object: %s", root.get("name").asText(), p);
            }
            plugins.add((ObjectNode) p);
        }
        return new ConfList(root.path("cniVersion").asText(CNI_VERSION), root.get("name").asText(), plugins);
    }
}
