package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.spec.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a container's OCI spec on the client, as ctr 1.6 does with oci.WithDefaultSpec,
 * WithDefaultUnixDevices, WithImageConfig and its flags: the same defaults, so a container runs
 * the same under jctr and ctr.
 */
public final class SpecBuilder {
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    /** Every capability by number, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40), for --privileged. */
    static final List<String> ALL_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");
    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi");
    private static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private SpecBuilder() {
    }

    /**
     * @param user the resolved user (the flag's, else the image's, else root)
     * @param hostDevices the host's device nodes, for --privileged (empty otherwise)
     */
    public static Spec build(String namespace, String id, ImageConfig image, RunOptions o, Spec.User user,
                             List<Spec.Device> hostDevices) {
        List<String> args = !o.args().isEmpty() ? o.args() : concat(image.entrypoint(), image.cmd());
        if (args.isEmpty()) {
            throw new RunException("image " + image.name() + " names no command (no Entrypoint or Cmd): give one after the container id");
        }
        List<String> env = mergeEnv(image.env().isEmpty() ? List.of(DEFAULT_PATH) : image.env(), o.env());
        if (o.netHost()) {
            env = mergeEnv(env, List.of("HOSTNAME=" + hostname()));
        }
        String cwd = !o.cwd().isEmpty() ? o.cwd() : image.workingDir().isEmpty() ? "/" : image.workingDir();
        List<String> caps = o.privileged() ? currentCaps() : DEFAULT_CAPS;
        var process = new Spec.Process(o.terminal() ? Boolean.TRUE : null, user, args, env, cwd,
                new Spec.Capabilities(caps, caps, caps), List.of(new Spec.Rlimit("RLIMIT_NOFILE", 1024, 1024)), true);

        List<Spec.Namespace> namespaces = new ArrayList<>();
        for (String ns : List.of("pid", "ipc", "uts", "mount", "network")) {
            if (ns.equals("network") && o.cni() != null) {
                namespaces.add(new Spec.Namespace(ns, o.cni().netnsPath()));
            } else if (!(o.netHost() && ns.equals("network"))) {
                namespaces.add(new Spec.Namespace(ns));
            }
        }
        // ctr run lists no device nodes (the runtime makes the standard ones) unless --privileged
        List<Spec.Device> devices = o.privileged() ? hostDevices : List.of();
        List<Spec.DeviceRule> rules = new ArrayList<>();
        if (o.privileged()) {
            rules.add(new Spec.DeviceRule(true, null, null, null, "rwm"));
        } else {
            rules.add(new Spec.DeviceRule(false, null, null, null, "rwm"));
            rules.addAll(defaultDeviceRules());
        }
        var resources = new Spec.Resources(rules,
                o.memoryLimit() > 0 ? new Spec.Memory(o.memoryLimit()) : null,
                o.cpus() > 0 ? new Spec.Cpu(1024L, (long) (o.cpus() * 100_000), 100_000L) : new Spec.Cpu(1024L, null, null));
        var linux = new Spec.Linux(devices, resources, "/" + namespace + "/" + id, namespaces,
                o.privileged() ? List.of() : MASKED, o.privileged() ? List.of() : READONLY);

        List<Spec.Mount> mounts = new ArrayList<>(defaultMounts(o.privileged()));
        if (o.netHost()) {
            mounts.add(new Spec.Mount("/etc/hosts", "bind", "/etc/hosts", List.of("rbind", "ro")));
            mounts.add(new Spec.Mount("/etc/resolv.conf", "bind", "/etc/resolv.conf", List.of("rbind", "ro")));
        }
        if (o.cni() != null) {
            mounts.add(new Spec.Mount("/etc/hosts", "bind", o.cni().hostsPath(), List.of("rbind", "rw")));
            mounts.add(new Spec.Mount("/etc/resolv.conf", "bind", o.cni().resolvConfPath(), List.of("rbind", "rw")));
            mounts.add(new Spec.Mount("/etc/hostname", "bind", o.cni().hostnamePath(), List.of("rbind", "rw")));
        }
        for (RunOptions.BindMount m : o.mounts()) {
            mounts.removeIf(x -> x.destination().equals(m.destination()));
            mounts.add(new Spec.Mount(m.destination(), m.type(), m.source(), m.options()));
        }
        return new Spec("1.0.2-dev", process, new Spec.Root("rootfs", o.readOnly() ? Boolean.TRUE : null),
                o.netHost() ? null : id, mounts, Map.of(), linux);
    }

    /** KEY=VALUE lists merged as containerd's replaceOrAppendEnvValues: later keys replace earlier ones in place. */
    static List<String> mergeEnv(List<String> base, List<String> overrides) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String e : concat(base, overrides)) {
            byKey.put(e.split("=", 2)[0], e);
        }
        return List.copyOf(byKey.values());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * The capabilities jctr itself holds (its effective set), as containerd's WithAllCurrentCapabilities:
     * asking for one we lack makes the runtime's capset fail.
     */
    static List<String> currentCaps() {
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/self/status"))) {
            for (String line : new String(in.readAllBytes()).split("\n")) {
                if (line.startsWith("CapEff:")) {
                    long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    List<String> out = new ArrayList<>();
                    for (int bit = 0; bit < ALL_CAPS.size(); bit++) {
                        if ((mask & (1L << bit)) != 0) {
                            out.add(ALL_CAPS.get(bit));
                        }
                    }
                    return out;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through to the defaults
        }
        return DEFAULT_CAPS;
    }

    private static String hostname() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private static List<Spec.Mount> defaultMounts(boolean privileged) {
        List<String> sys = privileged ? List.of("nosuid", "noexec", "nodev") : List.of("nosuid", "noexec", "nodev", "ro");
        return List.of(
                new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Spec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Spec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                new Spec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/sys", "sysfs", "sysfs", sys),
                new Spec.Mount("/run", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
    }

    private static List<Spec.DeviceRule> defaultDeviceRules() {
        // null, random, full, tty, zero, urandom, console, the pts range and ptmx: ctr 1.6's list
        return List.of(rule(1, 3), rule(1, 8), rule(1, 7), rule(5, 0), rule(1, 5), rule(1, 9), rule(5, 1),
                new Spec.DeviceRule(true, "c", 136L, null, "rwm"), rule(5, 2));
    }

    private static Spec.DeviceRule rule(long major, long minor) {
        return new Spec.DeviceRule(true, "c", major, minor, "rwm");
    }
}
