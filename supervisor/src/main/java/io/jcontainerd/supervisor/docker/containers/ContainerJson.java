package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import io.jcontainerd.network.Sandbox;

/** A container as {@code docker inspect} and {@code docker ps} show it. */
public final class ContainerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainerJson() {
    }

    public static ObjectNode inspect(ContainerDocument d, List<String> execIds, Optional<Sandbox> network) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Id", d.id());
        n.put("Created", d.created());
        n.put("Path", d.path());
        strings(n.putArray("Args"), d.args());
        ContainerState s = d.state();
        ObjectNode st = n.putObject("State");
        // dockerd counts a restarting container as running
        st.put("Status", s.status()).put("Running", s.running() || s.restarting()).put("Paused", s.paused()).put("Restarting", s.restarting())
                .put("OOMKilled", s.oomKilled()).put("Dead", s.dead()).put("Pid", s.pid()).put("ExitCode", s.exitCode())
                .put("Error", s.error()).put("StartedAt", s.startedAt()).put("FinishedAt", s.finishedAt());
        if (d.health() != null) {
            st.set("Health", health(d.health()));
        }
        n.put("Image", d.imageId());
        n.put("ResolvConfPath", network.map(Sandbox::resolvConfPath).orElse(""));
        n.put("HostnamePath", network.map(Sandbox::hostnamePath).orElse(""));
        n.put("HostsPath", network.map(Sandbox::hostsPath).orElse(""));
        n.put("LogPath", d.logPath());
        n.put("Name", "/" + d.name());
        n.put("RestartCount", d.restartCount());
        n.put("Driver", d.snapshotter());
        n.put("Platform", "linux");
        n.put("MountLabel", "");
        n.put("ProcessLabel", "");
        n.put("AppArmorProfile", "");
        if (execIds.isEmpty()) {
            n.putNull("ExecIDs");
        } else {
            strings(n.putArray("ExecIDs"), execIds);
        }
        n.set("HostConfig", hostConfig(d));
        n.putObject("GraphDriver").put("Name", d.snapshotter()).putObject("Data");
        n.set("Mounts", mounts(d));
        n.set("Config", d.config());
        n.set("NetworkSettings", networkSettings(d, network));
        return n;
    }

    static ObjectNode health(Health h) {
        ObjectNode n = JSON.createObjectNode().put("Status", h.status()).put("FailingStreak", h.failingStreak());
        ArrayNode log = n.putArray("Log");
        for (Health.Result r : h.log()) {
            log.addObject().put("Start", r.start()).put("End", r.end()).put("ExitCode", r.exitCode()).put("Output", r.output());
        }
        return n;
    }

    /** What docker ps adds to a running container's status: (healthy), (unhealthy), (health: starting). */
    static String healthSuffix(ContainerDocument d) {
        if (d.health() == null || !d.state().running()) {
            return "";
        }
        return switch (d.health().status()) {
            case Health.STARTING -> " (health: starting)";
            default -> " (" + d.health().status() + ")";
        };
    }

    private static ObjectNode hostConfig(ContainerDocument d) {
        ObjectNode h = d.hostConfig().deepCopy();
        if (!h.path("LogConfig").path("Type").isTextual() || h.path("LogConfig").path("Type").asText().isEmpty()) {
            h.putObject("LogConfig").put("Type", "json-file").putObject("Config");
        }
        if (!h.path("RestartPolicy").isObject()) {
            h.putObject("RestartPolicy").put("Name", "no").put("MaximumRetryCount", 0);
        }
        for (String f : List.of("Privileged", "AutoRemove", "ReadonlyRootfs", "PublishAllPorts", "Init")) {
            if (!h.path(f).isBoolean()) {
                h.put(f, false);
            }
        }
        for (String f : List.of("Memory", "NanoCpus", "CpuShares", "PidsLimit", "ShmSize")) {
            if (!h.path(f).isNumber()) {
                h.put(f, 0);
            }
        }
        if (!h.path("PortBindings").isObject()) {
            h.putObject("PortBindings");
        }
        if (!h.path("ConsoleSize").isArray()) {
            h.putArray("ConsoleSize").add(0).add(0); // dockerd's [height, width] when the client sent none
        }
        return h;
    }

    private static ArrayNode mounts(ContainerDocument d) {
        ArrayNode a = JSON.createArrayNode();
        for (JsonNode b : d.hostConfig().path("Binds")) {
            if (!b.asText().startsWith("/")) {
                continue; // a named volume: one of the mount points below
            }
            String[] p = b.asText().split(":");
            String mode = p.length > 2 ? p[2] : "";
            a.addObject().put("Type", "bind").put("Source", p[0]).put("Destination", p.length > 1 ? p[1] : "")
                    .put("Mode", mode).put("RW", !mode.contains("ro")).put("Propagation", "rprivate");
        }
        for (MountPoint m : d.mountPoints()) {
            m.json(a.addObject());
        }
        return a;
    }

    private static ObjectNode networkSettings(ContainerDocument d, Optional<Sandbox> network) {
        ObjectNode ns = JSON.createObjectNode();
        ns.put("Bridge", "").put("SandboxID", network.map(Sandbox::netnsPath).filter(p -> p != null).orElse(""))
                .put("HairpinMode", false).put("LinkLocalIPv6Address", "").put("LinkLocalIPv6PrefixLen", 0);
        ns.set("Ports", Networking.portsJson(d.config(), network));
        ns.put("SandboxKey", network.map(Sandbox::netnsPath).filter(p -> p != null).orElse(""))
                .putNull("SecondaryIPAddresses").putNull("SecondaryIPv6Addresses");
        ObjectNode nets = Networking.networksJson(CreateRequest.networkMode(d.config(), d.hostConfig()), network, d.attachedNetworks());
        JsonNode bridge = nets.path("bridge");
        ns.put("EndpointID", bridge.path("EndpointID").asText("")).put("Gateway", bridge.path("Gateway").asText(""))
                .put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0).put("IPAddress", bridge.path("IPAddress").asText(""))
                .put("IPPrefixLen", bridge.path("IPPrefixLen").asInt(0)).put("IPv6Gateway", "").put("MacAddress", bridge.path("MacAddress").asText(""));
        ns.set("Networks", nets);
        return ns;
    }

    /** One row of {@code GET /containers/json}. */
    public static ObjectNode summary(ContainerDocument d, String imageName, Instant now, Optional<Sandbox> network) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Id", d.id());
        n.putArray("Names").add("/" + d.name());
        n.put("Image", imageName);
        n.put("ImageID", d.imageId());
        StringBuilder cmd = new StringBuilder(d.path());
        d.args().forEach(a -> cmd.append(' ').append(a));
        n.put("Command", cmd.toString());
        n.put("Created", Instant.parse(d.created()).getEpochSecond());
        n.set("Ports", Networking.portsSummary(network));
        n.set("Labels", d.config().path("Labels").isObject() ? d.config().path("Labels") : JSON.createObjectNode());
        n.put("State", d.state().status());
        n.put("Status", d.state().describe(now) + healthSuffix(d));
        n.putObject("HostConfig").put("NetworkMode", d.hostConfig().path("NetworkMode").asText("default"));
        n.set("NetworkSettings", JSON.createObjectNode().set("Networks",
                Networking.networksJson(CreateRequest.networkMode(d.config(), d.hostConfig()), network, d.attachedNetworks())));
        n.set("Mounts", mounts(d));
        return n;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
