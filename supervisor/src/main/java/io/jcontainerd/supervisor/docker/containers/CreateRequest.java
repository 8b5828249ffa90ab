package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.images.LocalImage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST /containers/create} body checked and completed: every field may be null (as
 * testcontainers sends them), unknown fields are ignored, HostConfig.NetworkMode stays as the client
 * gave it ("default" when it gave none, as dockerd keeps it) while {@link #networkMode()} is the mode
 * the container runs with ("default" is "bridge"), and an option we cannot honour that
 * would change what the container does is a 400 naming it, never dropped.
 */
public record CreateRequest(ObjectNode config, ObjectNode hostConfig, String networkMode, JsonNode endpointsConfig) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** HostConfig fields that must stay empty, zero or false. */
    private static final List<String> UNSUPPORTED_HOST = List.of("Devices", "DeviceRequests", "DeviceCgroupRules", "UsernsMode",
            "PidMode", "UTSMode", "VolumesFrom", "Links", "Sysctls", "BlkioWeight", "BlkioWeightDevice",
            "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuRealtimePeriod",
            "CpuRealtimeRuntime", "CpusetMems", "OomKillDisable", "MemoryReservation", "KernelMemory", "CgroupParent",
            "VolumeDriver", "StorageOpt", "MaskedPaths", "ReadonlyPaths", "CpuCount", "CpuPercent", "IOMaximumIOps",
            "IOMaximumBandwidth", "Cgroup");

    public static CreateRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw DockerApiException.badRequest("the create body must be a JSON object with the container's Config (Image, Cmd, ...) and HostConfig");
        }
        ObjectNode config = ((ObjectNode) body).deepCopy();
        JsonNode hc = config.remove("HostConfig");
        JsonNode endpoints = config.remove("NetworkingConfig");
        endpoints = endpoints == null ? JSON.createObjectNode() : endpoints.path("EndpointsConfig");
        ObjectNode host = hc != null && hc.isObject() ? (ObjectNode) hc : JSON.createObjectNode();
        if (config.path("Image").asText("").isEmpty()) {
            throw DockerApiException.badRequest("Config.Image is required: name the image to run");
        }
        for (String f : UNSUPPORTED_HOST) {
            if (set(host.get(f))) {
                throw DockerApiException.badRequest("HostConfig.%s is not supported by jcontainerd's Docker API: leave it out", f);
            }
        }
        String ipc = host.path("IpcMode").asText("");
        if (!ipc.isEmpty() && !ipc.equals("private") && !ipc.equals("shareable")) {
            throw DockerApiException.badRequest("HostConfig.IpcMode %s is not supported: only private IPC namespaces", ipc);
        }
        String runtime = host.path("Runtime").asText("");
        if (!runtime.isEmpty() && !runtime.equals("runc")) {
            throw DockerApiException.badRequest("HostConfig.Runtime %s is not available: jcontainerd runs containers with its own runtime", runtime);
        }
        String log = host.path("LogConfig").path("Type").asText("");
        if (!log.isEmpty() && !log.equals("json-file")) {
            throw DockerApiException.badRequest("HostConfig.LogConfig.Type %s is not supported: only json-file", log);
        }
        RestartPolicy.validated(host.get("RestartPolicy"), host.path("AutoRemove").asBoolean(false));
        ConsoleSize.parse("HostConfig.ConsoleSize", host.get("ConsoleSize"));
        for (JsonNode o : host.path("SecurityOpt")) {
            String s = o.asText();
            if (!s.equals("seccomp=unconfined") && !s.equals("seccomp:unconfined") && !s.equals("no-new-privileges")
                    && !s.equals("no-new-privileges:true") && !s.equals("no-new-privileges=true")
                    && !s.equals("apparmor=unconfined") && !s.equals("label=disable")) {
                throw DockerApiException.badRequest("HostConfig.SecurityOpt %s is not supported: only seccomp=unconfined, no-new-privileges", s);
            }
        }
        HealthCheck.validate(config.get("Healthcheck"));
        if (host.path("NetworkMode").asText("").isEmpty()) {
            host.put("NetworkMode", "default"); // what dockerd keeps (and inspect shows) when the client names none
        }
        return new CreateRequest(config, host, networkMode(config, host), endpoints.isObject() ? endpoints : JSON.createObjectNode());
    }

    /**
     * The network mode a container runs with: HostConfig.NetworkMode as the client gave it, where
     * "default" (or none given) is the bridge network, and Config.NetworkDisabled means none.
     */
    public static String networkMode(JsonNode config, JsonNode host) {
        if (config.path("NetworkDisabled").asBoolean(false)) {
            return "none";
        }
        String net = host.path("NetworkMode").asText("");
        return net.isEmpty() || net.equals("default") ? "bridge" : net;
    }

    /** True if a JSON value says something: not null/missing, not false, 0, "", [] or {}. */
    static boolean set(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asLong() != 0;
        }
        if (n.isTextual()) {
            return !n.asText().isEmpty();
        }
        return !n.isEmpty();
    }

    /**
     * The Config with the image's defaults filled in as dockerd does: Env merged by key, Labels
     * merged, Entrypoint/Cmd from the image unless given (a given Entrypoint drops the image's Cmd),
     * WorkingDir, User and StopSignal from the image when empty.
     */
    public ObjectNode completedConfig(LocalImage image, String hostname) {
        ObjectNode c = config.deepCopy();
        JsonNode img = image.runConfig();
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : List.of(img.path("Env"), c.path("Env"))) {
            e.forEach(v -> env.put(v.asText().split("=", 2)[0], v.asText()));
        }
        if (env.isEmpty()) {
            env.put("PATH", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        ArrayNode envOut = c.putArray("Env");
        env.values().forEach(envOut::add);
        boolean entrypointGiven = c.hasNonNull("Entrypoint");
        if (!entrypointGiven) {
            c.set("Entrypoint", img.path("Entrypoint").isArray() ? img.path("Entrypoint") : null);
        }
        if (!set(c.get("Cmd"))) {
            c.set("Cmd", !entrypointGiven && img.path("Cmd").isArray() ? img.path("Cmd") : null);
        }
        if (c.path("WorkingDir").asText("").isEmpty()) {
            c.put("WorkingDir", img.path("WorkingDir").asText(""));
        }
        if (c.path("User").asText("").isEmpty()) {
            c.put("User", img.path("User").asText(""));
        }
        if (c.path("StopSignal").asText("").isEmpty() && !img.path("StopSignal").asText("").isEmpty()) {
            c.put("StopSignal", img.path("StopSignal").asText());
        }
        ObjectNode labels = JSON.createObjectNode();
        if (img.path("Labels").isObject()) {
            labels.setAll((ObjectNode) img.path("Labels"));
        }
        if (c.path("Labels").isObject()) {
            labels.setAll((ObjectNode) c.path("Labels"));
        }
        c.set("Labels", labels);
        if (c.path("Hostname").asText("").isEmpty()) {
            c.put("Hostname", hostname);
        }
        for (String f : List.of("AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce")) {
            c.put(f, c.path(f).asBoolean(false));
        }
        c.put("Domainname", c.path("Domainname").asText(""));
        mergeHealthcheck(c, img.path("Healthcheck"));
        ObjectNode volumes = JSON.createObjectNode();
        if (img.path("Volumes").isObject()) {
            volumes.setAll((ObjectNode) img.path("Volumes")); // the image's VOLUMEs are anonymous volumes too
        }
        if (c.path("Volumes").isObject()) {
            volumes.setAll((ObjectNode) c.path("Volumes"));
        }
        c.set("Volumes", volumes.isEmpty() ? null : volumes);
        ObjectNode exposed = JSON.createObjectNode();
        if (img.path("ExposedPorts").isObject()) {
            exposed.setAll((ObjectNode) img.path("ExposedPorts"));
        }
        if (c.path("ExposedPorts").isObject()) {
            exposed.setAll((ObjectNode) c.path("ExposedPorts"));
        }
        hostConfig.path("PortBindings").fieldNames().forEachRemaining(p -> exposed.putObject(p));
        if (!exposed.isEmpty()) {
            c.set("ExposedPorts", exposed);
        }
        c.put("Image", config.path("Image").asText());
        return c;
    }

    /** The image's Healthcheck fills what the request's leaves empty (all of it when the request has none), as dockerd merges them. */
    private static void mergeHealthcheck(ObjectNode c, JsonNode image) {
        if (!image.isObject()) {
            return;
        }
        if (!c.path("Healthcheck").isObject()) {
            c.set("Healthcheck", image.deepCopy());
            return;
        }
        ObjectNode h = (ObjectNode) c.path("Healthcheck");
        if (!set(h.get("Test")) && image.hasNonNull("Test")) {
            h.set("Test", image.get("Test").deepCopy());
        }
        for (String f : List.of("Interval", "Timeout", "StartPeriod", "Retries")) {
            if (!set(h.get(f)) && image.hasNonNull(f)) {
                h.set(f, image.get(f).deepCopy());
            }
        }
    }

    /** The process's argv: Entrypoint then Cmd. */
    public static List<String> command(ObjectNode completed) {
        List<String> argv = new ArrayList<>();
        completed.path("Entrypoint").forEach(n -> argv.add(n.asText()));
        completed.path("Cmd").forEach(n -> argv.add(n.asText()));
        return argv;
    }
}
