package io.jcontainerd.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.Iterator;
import java.util.Map;

/**
 * Runs a conflist the way libcni does: ADD through the plugins in order, each given the previous
 * one's result as {@code prevResult}; DEL in reverse order with the ADD's final result as
 * {@code prevResult}; CHECK in order with it. Runtime configuration (port mappings, ...) reaches
 * only the plugins whose {@code capabilities} ask for that key.
 */
public final class ConfListRunner {
    private final CniInvoker invoker;

    public ConfListRunner(CniInvoker invoker) {
        this.invoker = invoker;
    }

    public CniInvoker invoker() {
        return invoker;
    }

    /** ADD; returns the last plugin's result. Nothing is undone on failure: the caller runs {@link #del}. */
    public JsonNode add(ConfList list, CniContext ctx, ObjectNode runtimeConfig) {
        JsonNode prev = null;
        for (ObjectNode plugin : list.plugins()) {
            ObjectNode conf = pluginConf(list, plugin, runtimeConfig, prev);
            prev = invoker.invoke(CniCommand.ADD, plugin.get("type").asText(), ctx, conf, subject(list, ctx)).orElseThrow();
        }
        return prev;
    }

    /**
     * DEL in reverse order. Every plugin is run even when one fails (so one broken plugin leaks no
     * other plugin's resources); the first failure is thrown at the end.
     */
    public void del(ConfList list, CniContext ctx, ObjectNode runtimeConfig, JsonNode prevResult) {
        JcdException first = null;
        for (int i = list.plugins().size() - 1; i >= 0; i--) {
            ObjectNode plugin = list.plugins().get(i);
            try {
                invoker.invoke(CniCommand.DEL, plugin.get("type").asText(), ctx, pluginConf(list, plugin, runtimeConfig, prevResult),
                        subject(list, ctx));
            } catch (JcdException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** CHECK in order; throws the first plugin's complaint. */
    public void check(ConfList list, CniContext ctx, ObjectNode runtimeConfig, JsonNode prevResult) {
        for (ObjectNode plugin : list.plugins()) {
            invoker.invoke(CniCommand.CHECK, plugin.get("type").asText(), ctx, pluginConf(list, plugin, runtimeConfig, prevResult),
                    subject(list, ctx));
        }
    }

    /** The JSON one plugin gets on stdin. */
    static ObjectNode pluginConf(ConfList list, ObjectNode plugin, ObjectNode runtimeConfig, JsonNode prevResult) {
        ObjectNode conf = plugin.deepCopy();
        conf.put("cniVersion", list.cniVersion());
        conf.put("name", list.name());
        conf.remove("runtimeConfig");
        JsonNode caps = plugin.path("capabilities");
        if (runtimeConfig != null && caps.isObject()) {
            ObjectNode rc = conf.putObject("runtimeConfig");
            for (Iterator<Map.Entry<String, JsonNode>> it = runtimeConfig.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (caps.path(e.getKey()).asBoolean(false)) {
                    rc.set(e.getKey(), e.getValue());
                }
            }
        }
        if (prevResult != null) {
            conf.set("prevResult", prevResult);
        }
        return conf;
    }

    private static String subject(ConfList list, CniContext ctx) {
        return "container " + ctx.containerId() + " on network " + list.name() + " (" + ctx.ifName() + ")";
    }
}
