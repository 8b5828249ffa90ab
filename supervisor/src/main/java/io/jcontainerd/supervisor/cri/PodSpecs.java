package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.api.cri.v1.ContainerConfig;
import io.jcontainerd.api.cri.v1.KeyValue;
import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.api.cri.v1.LinuxContainerSecurityContext;
import io.jcontainerd.api.cri.v1.NamespaceMode;
import io.jcontainerd.api.cri.v1.PodSandboxConfig;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.ImageConfig;
import io.jcontainerd.supervisor.containers.RootfsUsers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime specs of a pod's pause container and of its containers, with containerd 1.6
 * cri's defaults (mounts, capabilities, masked and read-only paths, device rules). A container
 * joins the pause container's IPC and UTS namespaces, its network namespace (the pinned one, or
 * the host's for hostNetwork) and, for a pod-wide PID namespace, its PID namespace.
 */
final class PodSpecs {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi");
    private static final List<String> READONLY = List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    private PodSpecs() {
    }

    /** Where a pod's network and /etc files are (from the network module's sandbox). */
    record PodNetwork(String netnsPath, String hostsPath, String resolvConfPath, String hostnamePath) {
    }

    static byte[] sandbox(String id, PodSandboxConfig config, ImageConfig image, PodNetwork net, boolean hostNetwork, NodeLsm lsm,
                          String devShm, OomScoreFloor oom) {
        ImageConfig.RunConfig rc = image.config();
        List<String> args = concat(rc.entrypoint(), rc.cmd());
        if (args.isEmpty()) {
            throw JcdException.invalidArgument("the sandbox image names no command (no Entrypoint or Cmd): set [cri] sandbox_image to a pause image");
        }
        var sc = config.getLinux().getSecurityContext();
        String who = "pod sandbox " + config.getMetadata().getName();
        if (sc.hasRunAsGroup() && !sc.hasRunAsUser()) {
            throw JcdException.invalidArgument("%s: run_as_group is set without run_as_user", who);
        }
        long uid = sc.hasRunAsUser() ? sc.getRunAsUser().getValue() : 0;
        long gid = sc.hasRunAsGroup() ? sc.getRunAsGroup().getValue() : 0;
        Map<String, Object> process = process(args, rc.env().isEmpty() ? List.of(DEFAULT_PATH) : rc.env(), "/",
                new RootfsUsers.Resolved(uid, gid, sc.getSupplementalGroupsList()), DEFAULT_CAPS);
        lsm.appArmor(who, sc.hasApparmor() ? sc.getApparmor() : null, "", sc.getPrivileged(), process);
        lsm.selinux(who, sc.getSelinuxOptions(), process);
        process.put("oomScoreAdj", oom.apply(OomScoreFloor.SANDBOX)); // containerd: defaultSandboxOOMAdj, restricted alike
        var nsOpts = sc.getNamespaceOptions();
        List<Map<String, Object>> namespaces = new ArrayList<>();
        if (nsOpts.getPid() != NamespaceMode.NODE) {
            namespaces.add(ns("pid", null));
        }
        if (nsOpts.getIpc() != NamespaceMode.NODE) {
            namespaces.add(ns("ipc", null));
        }
        if (!hostNetwork) {
            namespaces.add(ns("uts", null));
            namespaces.add(ns("network", net.netnsPath()));
        }
        namespaces.add(ns("mount", null));
        Map<String, Object> linux = linux(id, config.getLinux().getCgroupParent(), namespaces, MASKED, READONLY, null);
        // a privileged pod's pause container gets no seccomp filter, whatever is asked (containerd 1.6)
        Map<String, Object> seccomp = sc.getPrivileged() ? null : SeccompProfiles.forRequest(who + " seccomp",
                sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath(), DEFAULT_CAPS);
        if (seccomp != null) {
            linux.put("seccomp", seccomp);
        }
        if (!config.getLinux().getSysctlsMap().isEmpty()) {
            linux.put("sysctl", new LinkedHashMap<>(config.getLinux().getSysctlsMap()));
        }
        List<Map<String, Object>> mounts = mounts();
        if (sc.getPrivileged()) {
            // a network namespace has one sysfs superblock, made by its first mount, the pause container's: a
            // read-only one would leave every later sysfs mount of the pod read-only, the privileged containers' too
            // (runc mounts it read-write and remounts only its own mount read-only; jrunc mounts it "ro" at once)
            writable(mounts, "/sys");
        }
        addBind(mounts, "/dev/shm", devShm, List.of("rbind", "rprivate", "rw"));
        Map<String, Object> spec = root(process, mounts, linux, Map.of("io.kubernetes.cri.container-type", "sandbox",
                "io.kubernetes.cri.sandbox-id", id), false);
        if (!hostNetwork && !config.getHostname().isEmpty()) {
            spec.put("hostname", config.getHostname());
        }
        return write(spec);
    }

    /** {@link #container(String, String, ContainerConfig, PodSandboxConfig, ImageConfig, PodNetwork, boolean, int, OomScoreFloor, RootfsUsers, NodeLsm, String, boolean)} with devices owned as on the host (containerd's default). */
    static byte[] container(String id, String sandboxId, ContainerConfig c, PodSandboxConfig pod, ImageConfig image, PodNetwork net,
                            boolean hostNetwork, int pausePid, OomScoreFloor oom, RootfsUsers users, NodeLsm lsm, String devShm) {
        return container(id, sandboxId, c, pod, image, net, hostNetwork, pausePid, oom, users, lsm, devShm, false);
    }

    /**
     * @param pausePid the pause container's pid: its /proc/PID/ns/{ipc,uts,pid} are joined
     * @param deviceOwnershipFromSecurityContext containerd's option: the config's devices are owned in the
     *        container by its runAsUser and runAsGroup (0 where not given), not by the host node's owner
     */
    static byte[] container(String id, String sandboxId, ContainerConfig c, PodSandboxConfig pod, ImageConfig image, PodNetwork net,
                            boolean hostNetwork, int pausePid, OomScoreFloor oom, RootfsUsers users, NodeLsm lsm, String devShm,
                            boolean deviceOwnershipFromSecurityContext) {
        ImageConfig.RunConfig rc = image.config();
        List<String> args;
        if (c.getCommandCount() > 0) {
            args = concat(c.getCommandList(), c.getArgsList());
        } else if (c.getArgsCount() > 0) {
            args = concat(rc.entrypoint(), c.getArgsList());
        } else {
            args = concat(rc.entrypoint(), rc.cmd());
        }
        if (args.isEmpty()) {
            throw JcdException.invalidArgument("container %s: no command: the image has no Entrypoint or Cmd and the config gives no command", c.getMetadata().getName());
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : rc.env().isEmpty() ? List.of(DEFAULT_PATH) : rc.env()) {
            env.put(e.split("=", 2)[0], e);
        }
        for (KeyValue kv : c.getEnvsList()) {
            env.put(kv.getKey(), kv.getKey() + "=" + kv.getValue());
        }
        String cwd = !c.getWorkingDir().isEmpty() ? c.getWorkingDir() : rc.workingDir().isEmpty() ? "/" : rc.workingDir();
        LinuxContainerSecurityContext sc = c.getLinux().getSecurityContext();
        boolean privileged = sc.getPrivileged();
        String who = "container " + c.getMetadata().getName();
        refuseUnsupported(who, c, sc, pod);
        RootfsUsers.Resolved user = user(who, sc, rc.user(), users);
        // privileged: every capability the daemon holds, add/drop not looked at (containerd 1.6's oci.WithPrivileged)
        List<String> caps = privileged ? CapabilitySets.CURRENT : CapabilitySets.apply(who, DEFAULT_CAPS, CapabilitySets.CURRENT,
                sc.getCapabilities().getAddCapabilitiesList(), sc.getCapabilities().getDropCapabilitiesList());
        Map<String, Object> process = process(args, List.copyOf(env.values()), cwd, user, caps);
        lsm.appArmor(who, sc.hasApparmor() ? sc.getApparmor() : null, sc.getApparmorProfile(), privileged, process);
        lsm.selinux(who, sc.getSelinuxOptions(), process);
        process.put("noNewPrivileges", sc.getNoNewPrivs());
        if (c.getTty()) {
            process.put("terminal", true);
        }
        LinuxContainerResources res = c.getLinux().getResources();
        if (res.getOomScoreAdj() != 0) {
            process.put("oomScoreAdj", oom.apply(res.getOomScoreAdj())); // restrict_oom_score_adj
        }

        List<Map<String, Object>> mounts = mounts();
        // containerd 1.6's default spec: cgroupfs read-only; privileged: read-write (oci.WithWriteableCgroupfs)
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", privileged ? List.of("nosuid", "noexec", "nodev", "relatime")
                : List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        if (privileged) {
            writable(mounts, "/sys");
        }
        addBind(mounts, "/etc/hosts", net.hostsPath(), List.of("rbind", "rprivate", "rw"));
        addBind(mounts, "/etc/resolv.conf", net.resolvConfPath(), List.of("rbind", "rprivate", "rw"));
        addBind(mounts, "/dev/shm", devShm, List.of("rbind", "rprivate", "rw"));
        if (!hostNetwork) {
            addBind(mounts, "/etc/hostname", net.hostnamePath(), List.of("rbind", "rprivate", "rw"));
        }
        for (io.jcontainerd.api.cri.v1.Mount m : c.getMountsList()) {
            addBind(mounts, m.getContainerPath(), hostPath(c, m), bindOptions(m));
        }

        var nsOpts = sc.getNamespaceOptions();
        List<Map<String, Object>> namespaces = new ArrayList<>();
        switch (nsOpts.getPid()) {
            case POD -> namespaces.add(ns("pid", "/proc/" + pausePid + "/ns/pid"));
            case CONTAINER -> namespaces.add(ns("pid", null));
            case NODE -> { }
            default -> throw JcdException.notImplemented("container %s: PID namespace mode %s is not supported by jcontainerd's CRI yet",
                    c.getMetadata().getName(), nsOpts.getPid());
        }
        if (nsOpts.getIpc() != NamespaceMode.NODE) {
            namespaces.add(ns("ipc", "/proc/" + pausePid + "/ns/ipc"));
        }
        if (!hostNetwork) {
            namespaces.add(ns("uts", "/proc/" + pausePid + "/ns/uts"));
            namespaces.add(ns("network", net.netnsPath()));
        }
        namespaces.add(ns("mount", null));
        List<String> masked = privileged ? List.of() : sc.getMaskedPathsCount() > 0 ? sc.getMaskedPathsList() : MASKED;
        List<String> readonly = privileged ? List.of() : sc.getReadonlyPathsCount() > 0 ? sc.getReadonlyPathsList() : READONLY;
        Map<String, Object> linux = linux(id, pod.getLinux().getCgroupParent(), namespaces, masked, readonly, resources(c, res, privileged));
        if (privileged) {
            linux.put("devices", HostDevices.list(Path.of("/dev")));
        } else if (c.getDevicesCount() > 0) {
            // containerd 1.6's customopts.WithDevices: the nodes, and an allow rule each after the default rules
            // device_ownership_from_security_context: containerd's GetDeviceUserGroupID, 0 where the id is not given
            ContainerDevices.Owner owner = deviceOwnershipFromSecurityContext
                    ? new ContainerDevices.Owner(sc.hasRunAsUser() ? sc.getRunAsUser().getValue() : 0,
                            sc.hasRunAsGroup() ? sc.getRunAsGroup().getValue() : 0)
                    : null;
            ContainerDevices.Given given = ContainerDevices.of(who, c.getDevicesList(), owner);
            linux.put("devices", given.devices());
            @SuppressWarnings("unchecked")
            Map<String, Object> resources = (Map<String, Object>) linux.get("resources");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rules = new ArrayList<>((List<Map<String, Object>>) resources.get("devices"));
            rules.addAll(given.rules());
            resources.put("devices", rules);
        }
        // privileged: no seccomp filter, whatever is asked (containerd 1.6's generateSeccompSpecOpts)
        Map<String, Object> seccomp = privileged ? null : SeccompProfiles.forRequest(who + " seccomp",
                sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath(), caps);
        if (seccomp != null) {
            linux.put("seccomp", seccomp);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("io.kubernetes.cri.container-type", "container");
        annotations.put("io.kubernetes.cri.container-name", c.getMetadata().getName());
        annotations.put("io.kubernetes.cri.sandbox-id", sandboxId);
        return write(root(process, mounts, linux, annotations, sc.getReadonlyRootfs()));
    }

    /** The container's process with other args: what ExecSync runs (same user, env, cwd, capabilities). */
    @SuppressWarnings("unchecked")
    static byte[] execProcess(byte[] containerSpec, List<String> args) {
        try {
            Map<String, Object> spec = JSON.readValue(containerSpec, Map.class);
            Map<String, Object> process = new LinkedHashMap<>((Map<String, Object>) spec.get("process"));
            process.put("args", args);
            process.put("terminal", false);
            return JSON.writeValueAsBytes(process);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("the container's spec is not JSON: %s", e.getMessage());
        }
    }

    private static void refuseUnsupported(String who, ContainerConfig c, LinuxContainerSecurityContext sc, PodSandboxConfig pod) {
        if (sc.getPrivileged()) {
            if (!pod.getLinux().getSecurityContext().getPrivileged()) {
                // containerd 1.6: the same words, and UNKNOWN (a plain error through errdefs.ToGRPC)
                throw JcdException.of(ErrorKind.UNKNOWN, String.format("%s: no privileged container allowed in sandbox %s: a privileged "
                        + "container needs a privileged pod (linux.security_context.privileged of the pod sandbox config)",
                        who, pod.getMetadata().getName()), null);
            }
            return; // every host device is given: the config's devices add nothing (containerd 1.6)
        }
        if (c.getCDIDevicesCount() > 0) {
            throw JcdException.notImplemented("%s: cdi_devices (%s) are not supported: jcontainerd's CRI reads no CDI spec directories "
                    + "(neither does containerd 1.6's); give the device nodes in devices instead", who, c.getCDIDevicesList().stream()
                    .map(d -> "\"" + d.getName() + "\"").limit(8).toList());
        }
    }

    /**
     * containerd's order: run_as_user, else run_as_username, else the image's user (a name resolved
     * in the image's /etc/passwd); the user's /etc/group memberships; run_as_group (else the
     * image's group, else the user's primary group); then supplemental_groups.
     */
    private static RootfsUsers.Resolved user(String who, LinuxContainerSecurityContext sc, String imageUser, RootfsUsers users) {
        String user;
        String group = null;
        if (sc.hasRunAsUser()) {
            user = Long.toString(sc.getRunAsUser().getValue());
        } else if (!sc.getRunAsUsername().isEmpty()) {
            user = sc.getRunAsUsername();
        } else if (sc.hasRunAsGroup()) {
            throw JcdException.invalidArgument("%s: run_as_group is set without run_as_user or run_as_username", who);
        } else if (!imageUser.isEmpty()) {
            String[] parts = imageUser.split(":", 2);
            user = parts[0];
            group = parts.length > 1 ? parts[1] : null;
        } else {
            user = "0";
        }
        if (sc.hasRunAsGroup()) {
            group = Long.toString(sc.getRunAsGroup().getValue());
        }
        for (long g : sc.getSupplementalGroupsList()) {
            if (g < 0 || g > 0xffffffffL) {
                throw JcdException.invalidArgument("%s: supplemental group %d is not a gid", who, g);
            }
        }
        return users.resolve(who, user, group, sc.getSupplementalGroupsList());
    }

    private static String hostPath(ContainerConfig c, io.jcontainerd.api.cri.v1.Mount m) {
        if (m.hasImage() && !m.getImage().getImage().isEmpty()) {
            throw JcdException.notImplemented("container %s: image volumes are not supported by jcontainerd's CRI yet", c.getMetadata().getName());
        }
        if (m.getContainerPath().isEmpty() || !m.getContainerPath().startsWith("/")) {
            throw JcdException.invalidArgument("container %s: mount container_path \"%s\" must be absolute", c.getMetadata().getName(), m.getContainerPath());
        }
        Path p = Path.of(m.getHostPath());
        if (!p.isAbsolute()) {
            throw JcdException.invalidArgument("container %s: mount host_path \"%s\" must be absolute", c.getMetadata().getName(), m.getHostPath());
        }
        if (!Files.exists(p)) {
            try {
                Files.createDirectories(p); // as containerd: a missing host path becomes a directory
            } catch (IOException e) {
                throw JcdException.invalidArgument("container %s: mount host_path %s does not exist and cannot be created: %s",
                        c.getMetadata().getName(), p, e.getMessage());
            }
        }
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            throw JcdException.invalidArgument("container %s: mount host_path %s cannot be resolved: %s", c.getMetadata().getName(), p, e.getMessage());
        }
    }

    private static List<String> bindOptions(io.jcontainerd.api.cri.v1.Mount m) {
        String propagation = switch (m.getPropagation()) {
            case PROPAGATION_HOST_TO_CONTAINER -> "rslave";
            case PROPAGATION_BIDIRECTIONAL -> "rshared";
            default -> "rprivate";
        };
        return List.of("rbind", propagation, m.getReadonly() ? "ro" : "rw");
    }

    private static Map<String, Object> resources(ContainerConfig c, LinuxContainerResources r, boolean privileged) {
        Map<String, Object> out = new LinkedHashMap<>();
        // privileged: every device allowed (containerd's oci.WithAllDevicesAllowed)
        out.put("devices", privileged ? List.of(Map.of("allow", true, "access", "rwm")) : deviceRules());
        out.putAll(limitMap("container " + c.getMetadata().getName(), r));
        return out;
    }

    /** The CPU and memory limits as an OCI LinuxResources JSON (what jrunc update takes). */
    static byte[] limits(String who, LinuxContainerResources r) {
        return write(limitMap(who, r));
    }

    /** {@code spec} with its linux.resources' memory and cpu replaced by those of {@code limits}. */
    @SuppressWarnings("unchecked")
    static byte[] withLimits(byte[] spec, byte[] limits) {
        try {
            Map<String, Object> s = JSON.readValue(spec, Map.class);
            Map<String, Object> l = JSON.readValue(limits, Map.class);
            Map<String, Object> linux = (Map<String, Object>) s.computeIfAbsent("linux", k -> new LinkedHashMap<>());
            Map<String, Object> res = (Map<String, Object>) linux.computeIfAbsent("resources", k -> new LinkedHashMap<>());
            res.remove("memory");
            res.remove("cpu");
            res.putAll(l);
            return write(s);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("the container's spec is not JSON: %s", e.getMessage());
        }
    }

    private static Map<String, Object> limitMap(String who, LinuxContainerResources r) {
        if (r.getHugepageLimitsCount() > 0 || !r.getUnifiedMap().isEmpty() || !r.getCpusetCpus().isEmpty() || !r.getCpusetMems().isEmpty()) {
            throw JcdException.notImplemented("%s: hugepage limits, unified cgroup v2 settings and cpusets are not supported by jcontainerd's CRI yet", who);
        }
        if (r.getMemoryLimitInBytes() < 0 || r.getCpuQuota() < -1 || r.getCpuPeriod() < 0 || r.getCpuShares() < 0) {
            throw JcdException.invalidArgument("%s: negative resource limits (memory %d, cpu quota %d, period %d, shares %d)", who,
                    r.getMemoryLimitInBytes(), r.getCpuQuota(), r.getCpuPeriod(), r.getCpuShares());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (r.getMemoryLimitInBytes() > 0) {
            out.put("memory", Map.of("limit", r.getMemoryLimitInBytes()));
        }
        Map<String, Object> cpu = new LinkedHashMap<>();
        if (r.getCpuShares() > 0) {
            cpu.put("shares", r.getCpuShares());
        }
        if (r.getCpuQuota() > 0) {
            cpu.put("quota", r.getCpuQuota());
        }
        if (r.getCpuPeriod() > 0) {
            cpu.put("period", r.getCpuPeriod());
        }
        if (!cpu.isEmpty()) {
            out.put("cpu", cpu);
        }
        return out;
    }

    private static Map<String, Object> process(List<String> args, List<String> env, String cwd, RootfsUsers.Resolved user, List<String> caps) {
        Map<String, Object> p = new LinkedHashMap<>();
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("uid", user.uid());
        u.put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) {
            u.put("additionalGids", user.additionalGids());
        }
        p.put("user", u);
        p.put("args", args);
        p.put("env", env);
        p.put("cwd", cwd);
        p.put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
        p.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024)));
        p.put("noNewPrivileges", true);
        return p;
    }

    private static Map<String, Object> linux(String id, String cgroupParent, List<Map<String, Object>> namespaces, List<String> masked,
                                             List<String> readonly, Map<String, Object> resources) {
        if (cgroupParent.endsWith(".slice")) {
            throw JcdException.notImplemented("cgroup parent %s is a systemd slice: jcontainerd's CRI supports the cgroupfs driver only yet "
                    + "(kubelet --cgroup-driver=cgroupfs)", cgroupParent);
        }
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("resources", resources != null ? resources : Map.of("devices", deviceRules()));
        linux.put("cgroupsPath", (cgroupParent.isEmpty() ? "/" + CriNames.NAMESPACE : cgroupParent.replaceAll("/+$", "")) + "/" + id);
        linux.put("namespaces", namespaces);
        linux.put("maskedPaths", masked);
        linux.put("readonlyPaths", readonly);
        return linux;
    }

    private static Map<String, Object> root(Map<String, Object> process, List<Map<String, Object>> mounts, Map<String, Object> linux,
                                            Map<String, String> annotations, boolean readonlyRootfs) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2-dev");
        spec.put("process", process);
        spec.put("root", readonlyRootfs ? Map.of("path", "rootfs", "readonly", true) : Map.of("path", "rootfs"));
        spec.put("mounts", mounts);
        spec.put("annotations", annotations);
        spec.put("linux", linux);
        return spec;
    }

    private static List<Map<String, Object>> mounts() {
        List<Map<String, Object>> m = new ArrayList<>();
        m.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        m.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        m.add(mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        m.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        m.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        m.add(mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        return m;
    }

    /** The mount at {@code destination} without "ro" (containerd's WithWriteableSysfs / WithWriteableCgroupfs). */
    private static void writable(List<Map<String, Object>> mounts, String destination) {
        for (Map<String, Object> m : mounts) {
            if (m.get("destination").equals(destination)) {
                @SuppressWarnings("unchecked")
                List<String> options = new ArrayList<>((List<String>) m.get("options"));
                options.remove("ro");
                m.put("options", options);
            }
        }
    }

    private static void addBind(List<Map<String, Object>> mounts, String destination, String source, List<String> options) {
        if (source == null || source.isEmpty()) {
            return;
        }
        mounts.removeIf(x -> x.get("destination").equals(destination));
        mounts.add(mount(destination, "bind", source, options));
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }

    private static Map<String, Object> ns(String type, String path) {
        return path == null ? Map.of("type", type) : Map.of("type", type, "path", path);
    }

    private static List<Map<String, Object>> deviceRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        rules.add(Map.of("allow", false, "access", "rwm"));
        for (long[] d : new long[][] {{1, 3}, {1, 8}, {1, 7}, {5, 0}, {1, 5}, {1, 9}, {5, 1}, {5, 2}}) {
            rules.add(Map.of("allow", true, "type", "c", "major", d[0], "minor", d[1], "access", "rwm"));
        }
        rules.add(Map.of("allow", true, "type", "c", "major", 136, "access", "rwm"));
        return rules;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] write(Map<String, Object> spec) {
        try {
            return JSON.writeValueAsBytes(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an OCI spec map did not serialise: " + e.getMessage(), e);
        }
    }
}
