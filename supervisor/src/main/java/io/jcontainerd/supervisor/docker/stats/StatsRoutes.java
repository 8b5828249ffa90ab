package io.jcontainerd.supervisor.docker.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /containers/{id}/stats}: with {@code stream=false} one sample whose precpu_stats is
 * a sample taken a second before (what the CLI's CPU % needs; {@code one-shot} skips that);
 * streamed, a sample a second with the previous one as precpu_stats, until the client leaves
 * or the container stops.
 */
public final class StatsRoutes {
    private static final long PERIOD_MS = 1000;
    private final ContainerManager containers;

    public StatsRoutes(ContainerManager containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.add("GET", "/containers/{id}/stats", this::stats);
    }

    void stats(Request q, Exchange x) throws InterruptedException {
        LiveContainer c = containers.lookup(q.param("id"));
        boolean stream = q.query("stream", "true").isEmpty() || q.flag("stream");
        if (!stream) {
            ObjectNode pre = ContainerStats.sample(containers.containerd(), c);
            if (q.flag("one-shot") || !c.running()) {
                x.json(200, withPrevious(pre, null));
                return;
            }
            Thread.sleep(PERIOD_MS);
            x.json(200, withPrevious(ContainerStats.sample(containers.containerd(), c), pre));
            return;
        }
        Exchange.Chunked out = x.chunked("application/json");
        ObjectNode previous = null;
        while (out.open()) {
            ObjectNode now = ContainerStats.sample(containers.containerd(), c);
            if (!out.write((withPrevious(now, previous).toString() + "\n").getBytes(StandardCharsets.UTF_8)) || !c.running()) {
                break;
            }
            previous = now;
            Thread.sleep(PERIOD_MS);
        }
        out.end();
    }

    private static ObjectNode withPrevious(ObjectNode now, ObjectNode previous) {
        ObjectNode n = now.deepCopy();
        if (previous == null) {
            ObjectNode pre = n.putObject("precpu_stats");
            pre.putObject("cpu_usage").put("total_usage", 0).put("usage_in_kernelmode", 0).put("usage_in_usermode", 0);
            pre.putObject("throttling_data").put("periods", 0).put("throttled_periods", 0).put("throttled_time", 0);
            return n;
        }
        JsonNode cpu = previous.path("cpu_stats");
        n.set("precpu_stats", cpu.deepCopy());
        n.put("preread", previous.path("read").asText());
        return n;
    }
}
