package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/** A container as {@code docker inspect} and {@code docker ps} show it. */
public final class ContainerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainerJson() {
    }

    public static ObjectNode inspect(ContainerDocument d, List<String> execIds) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Id", d.id());
        n.put("Created", d.created());
        n.put("Path", d.path());
        strings(n.putArray("Args"), d.args());
        ContainerState s = d.state();
        ObjectNode st = n.putObject("State");
        st.put("Status", s.status()).put("Running", s.running()).put("Paused", s.paused()).put("Restarting", s.restarting())
                .put("OOMKilled", s.oomKilled()).put("Dead", s.dead()).put("Pid", s.pid()).put("ExitCode", s.exitCode())
                .put("Error", s.error()).put("StartedAt", s.startedAt()).put("FinishedAt", s.finishedAt());
        n.put("Image", d.imageId());
        n.put("ResolvConfPath", d.runDir() + "/resolv.conf");
        n.put("HostnamePath", d.runDir() + "/hostname");
        n.put("HostsPath", d.runDir() + "/hosts");
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
        n.set("NetworkSettings", networkSettings(d));
        return n;
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
        return h;
    }

    private static ArrayNode mounts(ContainerDocument d) {
        ArrayNode a = JSON.createArrayNode();
        for (JsonNode b : d.hostConfig().path("Binds")) {
            String[] p = b.asText().split(":");
            String mode = p.length > 2 ? p[2] : "";
            a.addObject().put("Type", "bind").put("Source", p[0]).put("Destination", p.length > 1 ? p[1] : "")
                    .put("Mode", mode).put("RW", !mode.contains("ro")).put("Propagation", "rprivate");
        }
        return a;
    }

    private static ObjectNode networkSettings(ContainerDocument d) {
        ObjectNode ns = JSON.createObjectNode();
        ns.put("Bridge", "").put("SandboxID", "").put("HairpinMode", false).put("LinkLocalIPv6Address", "")
                .put("LinkLocalIPv6PrefixLen", 0);
        ns.putObject("Ports");
        ns.put("SandboxKey", "").putNull("SecondaryIPAddresses").putNull("SecondaryIPv6Addresses");
        ns.put("EndpointID", "").put("Gateway", "").put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0)
                .put("IPAddress", "").put("IPPrefixLen", 0).put("IPv6Gateway", "").put("MacAddress", "");
        String mode = d.hostConfig().path("NetworkMode").asText("none");
        ns.putObject("Networks").putObject(mode).putNull("IPAMConfig").putNull("Links").putNull("Aliases")
                .put("NetworkID", mode).put("EndpointID", "").put("Gateway", "").put("IPAddress", "").put("IPPrefixLen", 0)
                .put("IPv6Gateway", "").put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0).put("MacAddress", "");
        return ns;
    }

    /** One row of {@code GET /containers/json}. */
    public static ObjectNode summary(ContainerDocument d, String imageName, Instant now) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Id", d.id());
        n.putArray("Names").add("/" + d.name());
        n.put("Image", imageName);
        n.put("ImageID", d.imageId());
        StringBuilder cmd = new StringBuilder(d.path());
        d.args().forEach(a -> cmd.append(' ').append(a));
        n.put("Command", cmd.toString());
        n.put("Created", Instant.parse(d.created()).getEpochSecond());
        n.putArray("Ports");
        n.set("Labels", d.config().path("Labels").isObject() ? d.config().path("Labels") : JSON.createObjectNode());
        n.put("State", d.state().status());
        n.put("Status", d.state().describe(now));
        n.putObject("HostConfig").put("NetworkMode", d.hostConfig().path("NetworkMode").asText("none"));
        n.set("NetworkSettings", JSON.createObjectNode().set("Networks", networkSettings(d).path("Networks")));
        n.set("Mounts", mounts(d));
        return n;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
