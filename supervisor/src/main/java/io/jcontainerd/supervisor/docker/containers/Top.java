package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.api.services.tasks.v1.ListPidsRequest;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code docker top}: as dockerd does it, the host's {@code ps} with the client's arguments,
 * its rows kept for the container's processes (the task's pids from the Tasks service).
 */
final class Top {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Top() {
    }

    static ObjectNode of(ContainerManager containers, LiveContainer c, String psArgs) throws IOException, InterruptedException {
        if (!c.running()) {
            throw DockerApiException.conflict("Container %s is not running", c.id());
        }
        if (!psArgs.matches("[A-Za-z0-9 ,=-]{0,100}")) {
            throw DockerApiException.badRequest("ps_args %s: only letters, digits, spaces and , = - are allowed", psArgs);
        }
        Set<Long> pids = containers.containerd().tasks().listPids(ListPidsRequest.newBuilder().setContainerId(c.id()).build())
                .getProcessesList().stream().map(p -> (long) p.getPid()).collect(Collectors.toSet());
        List<String> cmd = new ArrayList<>(List.of("ps"));
        for (String a : psArgs.strip().split("\\s+")) {
            if (!a.isEmpty()) {
                cmd.add(a);
            }
        }
        Process ps = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ps.waitFor(10, TimeUnit.SECONDS) || ps.exitValue() != 0) {
            ps.destroyForcibly();
            throw DockerApiException.internal("ps %s failed: %s", psArgs, out.strip());
        }
        List<String> lines = out.lines().toList();
        if (lines.isEmpty()) {
            throw DockerApiException.internal("ps %s printed nothing", psArgs);
        }
        String[] titles = lines.getFirst().strip().split("\\s+");
        int pidCol = List.of(titles).indexOf("PID");
        if (pidCol < 0) {
            throw DockerApiException.badRequest("ps_args %s: the output has no PID column", psArgs);
        }
        ObjectNode n = JSON.createObjectNode();
        ArrayNode t = n.putArray("Titles");
        for (String s : titles) {
            t.add(s);
        }
        ArrayNode rows = n.putArray("Processes");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split("\\s+", titles.length);
            if (f.length == titles.length && f[pidCol].matches("\\d+") && pids.contains(Long.parseLong(f[pidCol]))) {
                ArrayNode row = rows.addArray();
                for (String s : f) {
                    row.add(s);
                }
            }
        }
        return n;
    }
}
