package io.jcontainerd.supervisor.docker.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.supervisor.docker.containers.ConsoleSize;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.util.Map;

/** {@code POST /containers/{id}/exec}, {@code /exec/{id}/start|resize|json}. */
public final class ExecRoutes {
    private final ContainerManager containers;
    private final ExecManager execs;

    public ExecRoutes(ContainerManager containers, ExecManager execs) {
        this.containers = containers;
        this.execs = execs;
    }

    public void register(Router r) {
        r.add("POST", "/containers/{id}/exec", (q, x) ->
                        x.json(201, Map.of("Id", execs.create(containers.lookup(q.param("id")), q.json()))))
                .add("POST", "/exec/{id}/start", this::start)
                .add("POST", "/exec/{id}/resize", (q, x) -> {
                    execs.resize(execs.lookup(q.param("id")), (int) q.number("h", 0), (int) q.number("w", 0));
                    x.status(200);
                })
                .add("GET", "/exec/{id}/json", (q, x) -> x.json(200, ExecManager.inspect(execs.lookup(q.param("id")))));
    }

    void start(Request q, Exchange x) {
        ExecSession e = execs.lookup(q.param("id"));
        JsonNode body = q.json();
        boolean detach = body.path("Detach").asBoolean(false);
        var size = ConsoleSize.parse("ConsoleSize", body.get("ConsoleSize"));
        synchronized (e) {
            if (e.started) {
                throw DockerApiException.conflict("Error: Exec command %s has already run", e.id);
            }
            e.started = true;
        }
        size.ifPresent(s -> e.consoleSize = s); // the start's size wins over the create's, as in dockerd
        if (detach) {
            execs.start(e, null);
            x.status(200);
            return;
        }
        boolean upgrade = "tcp".equalsIgnoreCase(q.header("Upgrade"));
        execs.start(e, x.hijack(upgrade, "application/vnd.docker.raw-stream"));
    }
}
