package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.api.types.Mount;
import io.jcontainerd.supervisor.containers.RootfsUsers;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The OCI runtime spec of a Docker container, with dockerd's defaults: its capability set,
 * masked and read-only /proc paths, device rules, /dev/shm of 64 MiB, the generated
 * /etc/hostname, /etc/hosts and /etc/resolv.conf bound from the container's directory, and the
 * HostConfig's binds, resources, capabilities, privileges and init.
 */
public final class DockerSpec {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String INIT_BINARY = "/usr/bin/tini-static";
    public static final String INIT_PATH = "/sbin/docker-init";
    static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    /** Every capability by number, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40). */
    public static final List<String> ALL_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");
    private static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware");
    private static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Containers get the daemon's own open-file limit, as dockerd's inherit dockerd's (raising it may not be allowed). */
    static final long OWN_NOFILE = ownNofile();

    private static long ownNofile() {
        try {
            for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String hard = l.substring("Max open files".length()).strip().split("\\s+")[1];
                    return hard.equals("unlimited") ? 1048576 : Long.parseLong(hard);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return 1024;
    }

    private DockerSpec() {
    }

    /**
     * Docker's {@code User} ("name", "uid", "name:group", "uid:gid"; empty is root) and {@code GroupAdd}
     * resolved against the container's own /etc/passwd and /etc/group (read safely from its layers), with
     * dockerd's messages when a name is in neither.
     */
    public static RootfsUsers.Resolved user(List<Mount> rootfs, String user, List<String> groupAdd) {
        String[] parts = (user == null || user.isEmpty() ? "0" : user).split(":", 2);
        var users = RootfsUsers.of(rootfs.stream()
                .map(m -> new io.jcontainerd.snapshot.Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList())).toList());
        try {
            return users.resolve(parts[0], parts.length == 2 ? parts[1] : null, groupAdd);
        } catch (RootfsUsers.NotFound e) {
            throw DockerApiException.badRequest("unable to find %s %s: no matching entries in %s file",
                    e.file().equals("passwd") ? "user" : "group", e.name(), e.file());
        }
    }

    /**
     * @param config     the completed Config
     * @param host       the HostConfig
     * @param user       the resolved user
     * @param network    the container's network: its namespace (none for host) and /etc files
     * @param cgroupsPath where the container's cgroup goes
     */
    public static ObjectNode build(String id, ObjectNode config, ObjectNode host, io.jcontainerd.network.Sandbox network,
                                   RootfsUsers.Resolved user, String cgroupsPath) {
        boolean privileged = host.path("Privileged").asBoolean(false);
        List<String> argv = CreateRequest.command(config);
        if (argv.isEmpty()) {
            throw DockerApiException.badRequest("no command specified: the image has no Entrypoint or Cmd, give one after the image name");
        }
        if (host.path("Init").asBoolean(false)) {
            List<String> init = new ArrayList<>(List.of(INIT_PATH, "--"));
            init.addAll(argv);
            argv = init;
        }
        ObjectNode spec = JSON.createObjectNode().put("ociVersion", "1.0.2-dev");
        ObjectNode process = spec.putObject("process");
        process.put("terminal", config.path("Tty").asBoolean(false));
        ConsoleSize.parse("HostConfig.ConsoleSize", host.get("ConsoleSize")).ifPresent(s -> s.applyTo(process));
        ObjectNode u = process.putObject("user").put("uid", user.uid()).put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) {
            ArrayNode g = u.putArray("additionalGids");
            user.additionalGids().forEach(g::add);
        }
        strings(process.putArray("args"), argv);
        ArrayNode env = process.putArray("env");
        config.path("Env").forEach(env::add);
        boolean term = false;
        for (JsonNode e : config.path("Env")) {
            term |= e.asText().startsWith("TERM=");
        }
        if (config.path("Tty").asBoolean(false) && !term) {
            env.add("TERM=xterm"); // dockerd adds it with a TTY only
        }
        env.add("HOSTNAME=" + config.path("Hostname").asText());
        String cwd = config.path("WorkingDir").asText("");
        process.put("cwd", cwd.isEmpty() ? "/" : cwd);
        List<String> caps = capabilities(privileged, host.path("CapAdd"), host.path("CapDrop"));
        ObjectNode c = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(c.putArray(set), caps);
        }
        ArrayNode rlimits = process.putArray("rlimits");
        boolean nofile = false;
        for (JsonNode l : host.path("Ulimits")) {
            String name = "RLIMIT_" + l.path("Name").asText().toUpperCase(Locale.ROOT);
            nofile |= name.equals("RLIMIT_NOFILE");
            rlimits.addObject().put("type", name).put("hard", l.path("Hard").asLong()).put("soft", l.path("Soft").asLong());
        }
        if (!nofile) {
            long n = OWN_NOFILE;
            rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", n).put("soft", n);
        }
        boolean noNewPrivs = false;
        for (JsonNode o : host.path("SecurityOpt")) {
            noNewPrivs |= o.asText().startsWith("no-new-privileges");
        }
        process.put("noNewPrivileges", noNewPrivs);
        if (host.path("OomScoreAdj").asInt(0) != 0) {
            process.put("oomScoreAdj", host.path("OomScoreAdj").asInt());
        }
        spec.putObject("root").put("path", "rootfs").put("readonly", host.path("ReadonlyRootfs").asBoolean(false));
        spec.put("hostname", config.path("Hostname").asText());
        mounts(spec.putArray("mounts"), host, privileged, network);
        linux(spec.putObject("linux"), host, network.netnsPath(), privileged, cgroupsPath);
        return spec;
    }

    static List<String> capabilities(boolean privileged, JsonNode add, JsonNode drop) {
        if (privileged) {
            return ALL_CAPS;
        }
        Set<String> caps = new LinkedHashSet<>(DEFAULT_CAPS);
        for (JsonNode a : add) {
            String n = capName(a.asText());
            if (n.equals("CAP_ALL")) {
                caps.addAll(ALL_CAPS);
            } else {
                caps.add(n);
            }
        }
        for (JsonNode d : drop) {
            String n = capName(d.asText());
            if (n.equals("CAP_ALL")) {
                caps.clear();
            } else {
                caps.remove(n);
            }
        }
        return List.copyOf(caps);
    }

    private static String capName(String raw) {
        String n = raw.toUpperCase(Locale.ROOT);
        n = n.startsWith("CAP_") ? n : "CAP_" + n;
        if (!n.equals("CAP_ALL") && !ALL_CAPS.contains(n)) {
            throw DockerApiException.badRequest("unknown capability: \"%s\"", raw);
        }
        return n;
    }

    private static void mounts(ArrayNode m, ObjectNode host, boolean privileged, io.jcontainerd.network.Sandbox network) {
        mount(m, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(m, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(m, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(m, "/sys", "sysfs", "sysfs", privileged ? new String[]{"nosuid", "noexec", "nodev"} : new String[]{"nosuid", "noexec", "nodev", "ro"});
        mount(m, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        long shm = host.path("ShmSize").asLong(0);
        mount(m, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=" + (shm > 0 ? shm : 64L << 20));
        mount(m, "/etc/resolv.conf", "bind", network.resolvConfPath(), "rbind", "rprivate");
        mount(m, "/etc/hostname", "bind", network.hostnamePath(), "rbind", "rprivate");
        mount(m, "/etc/hosts", "bind", network.hostsPath(), "rbind", "rprivate");
        if (host.path("Init").asBoolean(false)) {
            mount(m, INIT_PATH, "bind", INIT_BINARY, "bind", "ro", "rprivate");
        }
        for (JsonNode b : host.path("Binds")) {
            String[] p = b.asText().split(":");
            if (p.length < 2 || !p[1].startsWith("/")) {
                throw DockerApiException.badRequest("invalid bind %s: use /host/path:/container/path[:ro]", b.asText());
            }
            List<String> opts = new ArrayList<>(List.of("rbind"));
            String mode = p.length > 2 ? p[2] : "";
            opts.add(mode.contains("ro") ? "ro" : "rw");
            opts.add(mode.contains("rshared") ? "rshared" : mode.contains("rslave") ? "rslave" : "rprivate");
            removeAt(m, p[1]);
            mount(m, p[1], "bind", p[0], opts.toArray(String[]::new));
        }
        host.path("Tmpfs").properties().forEach(e -> {
            List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
            for (String o : e.getValue().asText("").split(",")) {
                if (!o.isBlank()) {
                    opts.add(o.strip());
                }
            }
            removeAt(m, e.getKey());
            mount(m, e.getKey(), "tmpfs", "tmpfs", opts.toArray(String[]::new));
        });
    }

    private static void removeAt(ArrayNode m, String destination) {
        for (int i = m.size() - 1; i >= 0; i--) {
            if (m.get(i).path("destination").asText().equals(destination)) {
                m.remove(i);
            }
        }
    }

    private static void mount(ArrayNode m, String dest, String type, String source, String... options) {
        ObjectNode n = m.addObject().put("destination", dest).put("type", type).put("source", source);
        strings(n.putArray("options"), List.of(options));
    }

    private static void linux(ObjectNode linux, ObjectNode host, String netnsPath, boolean privileged, String cgroupsPath) {
        ObjectNode res = linux.putObject("resources");
        ArrayNode devices = res.putArray("devices");
        if (privileged) {
            devices.addObject().put("allow", true).put("access", "rwm");
        } else {
            devices.addObject().put("allow", false).put("access", "rwm");
            for (long[] d : new long[][]{{1, 3}, {1, 8}, {1, 7}, {5, 0}, {1, 5}, {1, 9}, {5, 1}, {136, -1}, {5, 2}, {10, 200}}) {
                ObjectNode r = devices.addObject().put("allow", true).put("type", "c").put("major", d[0]);
                if (d[1] >= 0) {
                    r.put("minor", d[1]);
                }
                r.put("access", "rwm");
            }
        }
        long memory = host.path("Memory").asLong(0);
        if (memory > 0) {
            ObjectNode mem = res.putObject("memory").put("limit", memory);
            long swap = host.path("MemorySwap").asLong(0);
            if (swap > 0) {
                mem.put("swap", swap);
            }
        }
        ObjectNode cpu = res.putObject("cpu");
        long shares = host.path("CpuShares").asLong(0);
        if (shares > 0) {
            cpu.put("shares", shares);
        }
        long nano = host.path("NanoCpus").asLong(0);
        long quota = host.path("CpuQuota").asLong(0);
        long period = host.path("CpuPeriod").asLong(0);
        if (nano > 0) {
            cpu.put("period", 100_000L).put("quota", nano * 100_000L / 1_000_000_000L);
        } else if (quota > 0) {
            cpu.put("period", period > 0 ? period : 100_000L).put("quota", quota);
        }
        if (!host.path("CpusetCpus").asText("").isEmpty()) {
            cpu.put("cpus", host.path("CpusetCpus").asText());
        }
        long pids = host.path("PidsLimit").asLong(0);
        if (pids > 0) {
            res.putObject("pids").put("limit", pids);
        }
        linux.put("cgroupsPath", cgroupsPath);
        ArrayNode ns = linux.putArray("namespaces");
        for (String n : List.of("pid", "ipc", "uts", "mount")) {
            ns.addObject().put("type", n);
        }
        if (netnsPath != null) {
            ns.addObject().put("type", "network").put("path", netnsPath); // the pinned namespace the network module set up
        }
        if (!privileged) {
            strings(linux.putArray("maskedPaths"), MASKED);
            strings(linux.putArray("readonlyPaths"), READONLY);
        }
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
