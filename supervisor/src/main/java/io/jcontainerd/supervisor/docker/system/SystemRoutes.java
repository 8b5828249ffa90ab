package io.jcontainerd.supervisor.docker.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.BuildInfo;
import io.jcontainerd.supervisor.docker.containers.ContainerManager;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;
import io.jcontainerd.supervisor.docker.images.ImageStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** {@code _ping}, {@code version}, {@code info}: what clients ask before anything else. */
public final class SystemRoutes {
    /** The API version we speak: the shapes measured on dockerd 20.10, which both clients take. */
    public static final String API_VERSION = "1.41";
    public static final String MIN_API_VERSION = "1.24";
    /**
     * The engine version we answer: dockerd 20.10's, whose API we serve, marked as ours. Clients
     * compare it (testcontainers refuses anything below 1.6.0, so our own 0.1.0 would not do).
     */
    public static final String ENGINE_VERSION = "20.10.24+jcontainerd." + BuildInfo.OWN_VERSION;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ContainerManager containers;
    private final ImageStore images;
    private final Path root;
    private final String serverId;

    public SystemRoutes(ContainerManager containers, ImageStore images, Path root, String serverId) {
        this.containers = containers;
        this.images = images;
        this.root = root;
        this.serverId = serverId;
    }

    public static Exchange.ServerIdentity identity() {
        return new Exchange.ServerIdentity(API_VERSION, "jcontainerd/" + BuildInfo.OWN_VERSION + " (linux)");
    }

    public void register(Router r) {
        Router.Handler ping = (q, x) -> x.full(200, "OK".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8",
                Map.of("Cache-Control", "no-cache, no-store, must-revalidate", "Pragma", "no-cache"));
        r.add("GET", "/_ping", ping).add("HEAD", "/_ping", ping)
                .add("GET", "/version", (q, x) -> x.json(200, version()))
                .add("GET", "/info", (q, x) -> x.json(200, info()));
    }

    ObjectNode version() {
        ObjectNode v = JSON.createObjectNode();
        v.putObject("Platform").put("Name", "jcontainerd " + BuildInfo.OWN_VERSION);
        ObjectNode engine = v.putArray("Components").addObject().put("Name", "Engine").put("Version", ENGINE_VERSION);
        engine.putObject("Details").put("ApiVersion", API_VERSION).put("Arch", arch()).put("BuildTime", "")
                .put("Experimental", "false").put("GitCommit", BuildInfo.REVISION).put("GoVersion", "java" + Runtime.version().feature())
                .put("KernelVersion", kernel()).put("MinAPIVersion", MIN_API_VERSION).put("Os", "linux");
        v.put("Version", ENGINE_VERSION).put("ApiVersion", API_VERSION).put("MinAPIVersion", MIN_API_VERSION)
                .put("GitCommit", BuildInfo.REVISION).put("GoVersion", "java" + Runtime.version().feature()).put("Os", "linux")
                .put("Arch", arch()).put("KernelVersion", kernel()).put("BuildTime", "");
        return v;
    }

    ObjectNode info() {
        ObjectNode n = JSON.createObjectNode();
        int running = 0;
        int paused = 0;
        int stopped = 0;
        for (LiveContainer c : containers.all()) {
            if (c.doc().state().paused()) {
                paused++;
            } else if (c.running()) {
                running++;
            } else {
                stopped++;
            }
        }
        n.put("ID", serverId);
        n.put("Containers", running + paused + stopped).put("ContainersRunning", running).put("ContainersPaused", paused)
                .put("ContainersStopped", stopped);
        n.put("Images", images.list().size());
        n.put("Driver", "overlayfs");
        n.putArray("DriverStatus");
        ObjectNode plugins = n.putObject("Plugins");
        plugins.putArray("Volume");
        plugins.putArray("Network").add("bridge").add("host").add("null");
        plugins.putArray("Authorization");
        plugins.putArray("Log").add("json-file");
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        n.put("MemoryLimit", true).put("SwapLimit", true).put("KernelMemory", false).put("KernelMemoryTCP", false)
                .put("CpuCfsPeriod", true).put("CpuCfsQuota", true).put("CPUShares", true).put("CPUSet", true)
                .put("PidsLimit", true).put("IPv4Forwarding", true).put("BridgeNfIptables", false).put("BridgeNfIp6tables", false)
                .put("Debug", false).put("NFd", 0).put("OomKillDisable", false).put("NGoroutines", Thread.activeCount())
                .put("SystemTime", Instant.now().toString()).put("LoggingDriver", "json-file")
                .put("CgroupDriver", "cgroupfs").put("CgroupVersion", v2 ? "2" : "1").put("NEventsListener", 0)
                .put("KernelVersion", kernel()).put("OperatingSystem", osName()).put("OSVersion", "").put("OSType", "linux")
                .put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"))
                .put("IndexServerAddress", "https://index.docker.io/v1/");
        ObjectNode reg = n.putObject("RegistryConfig");
        reg.putArray("AllowNondistributableArtifactsCIDRs");
        reg.putArray("AllowNondistributableArtifactsHostnames");
        reg.putArray("InsecureRegistryCIDRs");
        reg.putObject("IndexConfigs");
        reg.putArray("Mirrors");
        n.put("NCPU", Runtime.getRuntime().availableProcessors()).put("MemTotal", memTotal())
                .putArray("GenericResources");
        n.put("DockerRootDir", root.toString()).put("HttpProxy", "").put("HttpsProxy", "").put("NoProxy", "")
                .put("Name", hostname());
        n.putArray("Labels");
        n.put("ExperimentalBuild", false).put("ServerVersion", ENGINE_VERSION);
        n.putObject("Runtimes").putObject("runc").put("path", "jrunc");
        n.put("DefaultRuntime", "runc");
        ObjectNode swarm = n.putObject("Swarm");
        swarm.put("NodeID", "").put("NodeAddr", "").put("LocalNodeState", "inactive").put("ControlAvailable", false)
                .put("Error", "").putNull("RemoteManagers");
        n.put("LiveRestoreEnabled", true).put("Isolation", "").put("InitBinary", "docker-init");
        n.putObject("ContainerdCommit").put("ID", BuildInfo.REVISION).put("Expected", BuildInfo.REVISION);
        n.putObject("RuncCommit").put("ID", BuildInfo.REVISION).put("Expected", BuildInfo.REVISION);
        n.putObject("InitCommit").put("ID", "tini").put("Expected", "tini");
        ArrayNode sec = n.putArray("SecurityOptions");
        sec.add("name=seccomp,profile=unconfined");
        n.putArray("Warnings");
        return n;
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("x86_64") ? "amd64" : a;
    }

    private static String kernel() {
        return read("/proc/sys/kernel/osrelease");
    }

    private static String hostname() {
        return read("/proc/sys/kernel/hostname");
    }

    private static String osName() {
        for (String l : read("/etc/os-release").lines().toList()) {
            if (l.startsWith("PRETTY_NAME=")) {
                return l.substring(12).replace("\"", "");
            }
        }
        return "Linux";
    }

    static long memTotal() {
        for (String l : read("/proc/meminfo").lines().toList()) {
            if (l.startsWith("MemTotal:")) {
                return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    private static String read(String p) {
        try {
            return Files.readString(Path.of(p)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
