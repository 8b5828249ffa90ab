package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.init.InitPlan.MountStep;
import io.jcontainerd.runtime.linux.CapabilityNames;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Rlimits;
import io.jcontainerd.runtime.spec.Linux;
import io.jcontainerd.runtime.spec.Mount;
import io.jcontainerd.runtime.spec.MountOptions;
import io.jcontainerd.runtime.spec.Process;
import io.jcontainerd.runtime.spec.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jcontainerd.runtime.spec.MountOptions.*;

/** Turns a validated spec into the init stage's plan: every decision that needs config.json is made here. */
public final class PlanBuilder {
    /** The devices every container gets (runc's list), unless /dev is bind-mounted from the host. */
    static final List<InitPlan.DeviceNode> DEFAULT_DEVICES = List.of(
            dev("/dev/null", 1, 3), dev("/dev/zero", 1, 5), dev("/dev/full", 1, 7),
            dev("/dev/random", 1, 8), dev("/dev/urandom", 1, 9), dev("/dev/tty", 5, 0));

    private PlanBuilder() {}

    private static InitPlan.DeviceNode dev(String path, long major, long minor) {
        return new InitPlan.DeviceNode(path, LinuxConstants.S_IFCHR, major, minor, 0666, 0, 0);
    }

    public record CreateOptions(String execFifo, String consoleSocket, int preserveFds, boolean noPivot) {}

    public static InitPlan forCreate(String id, Spec spec, Path bundle, CgroupManager cgroup, CreateOptions o) {
        Process p = spec.process();
        if (p == null) throw JruncException.invalidArgument("config.json: process is missing; nothing to run");
        Linux linux = spec.linux();
        HostLsm lsm = HostLsm.current();
        lsm.check(p, linux.mountLabel());
        boolean hasMountNs = linux.namespaces().stream().anyMatch(n -> n.type().equals("mount"));
        if (!hasMountNs) throw JruncException.invalidArgument("config.json: linux.namespaces has no mount namespace; jrunc always needs one");
        boolean newUts = linux.namespaces().stream().anyMatch(n -> n.type().equals("uts") && n.path() == null);
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !newUts) {
            throw JruncException.invalidArgument("config.json: hostname %s needs a new uts namespace in linux.namespaces", spec.hostname());
        }
        Path rootfs = bundle.resolve(spec.root().path()).normalize();
        try {
            rootfs = rootfs.toRealPath();
        } catch (java.io.IOException e) {
            throw JruncException.invalidArgument("config.json: root.path %s cannot be resolved: %s", rootfs, e.getMessage());
        }
        List<MountStep> steps = new ArrayList<>();
        boolean devBound = false;
        for (Mount m : spec.mounts()) {
            MountOptions opts = MountOptions.parse(m.options());
            if (opts.isBind() || "bind".equals(m.type())) {
                if (m.destination().equals("/dev")) devBound = true;
                String src = m.source() == null ? "" : m.source();
                if (!src.startsWith("/")) src = bundle.resolve(src).normalize().toString();
                steps.add(new MountStep(opts.recursiveBind() ? MountStep.Kind.RBIND : MountStep.Kind.BIND, src,
                        m.destination(), "", MS_BIND, opts.remountFlags(), opts.propagation(), null));
            } else if ("cgroup".equals(m.type())) {
                cgroupMount(steps, m.destination(), opts, cgroup);
            } else {
                steps.add(new MountStep(MountStep.Kind.FS, m.source() == null ? m.type() : m.source(), m.destination(),
                        m.type(), opts.flags(), 0, opts.propagation(), lsm.mountData(m.type(), opts.data(), linux.mountLabel())));
            }
        }
        Map<String, InitPlan.DeviceNode> devices = new LinkedHashMap<>();
        if (!devBound) for (var d : DEFAULT_DEVICES) devices.put(d.path(), d);
        for (Linux.Device d : linux.devices()) {
            int type = switch (d.type()) {
                case "c", "u" -> LinuxConstants.S_IFCHR;
                case "b" -> LinuxConstants.S_IFBLK;
                case "p" -> LinuxConstants.S_IFIFO;
                default -> throw JruncException.invalidArgument("config.json: linux.devices %s has unknown type %s", d.path(), d.type());
            };
            devices.put(d.path(), new InitPlan.DeviceNode(d.path(), type, d.major(), d.minor(),
                    d.fileMode() == null ? 0666 : d.fileMode(), d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid()));
        }
        long propagation = linux.rootfsPropagation() == null ? 0 : MountOptions.propagation(linux.rootfsPropagation());
        InitPlan.Rootfs root = new InitPlan.Rootfs(rootfs.toString(), propagation, spec.root().readonly(), o.noPivot(),
                steps, !devBound, List.copyOf(devices.values()), linux.maskedPaths(), linux.readonlyPaths());
        boolean newCgroupNs = linux.namespaces().stream().anyMatch(n -> n.type().equals("cgroup") && n.path() == null);
        String joinCgroupNs = linux.namespaces().stream().filter(n -> n.type().equals("cgroup") && n.path() != null)
                .map(Linux.Namespace::path).findFirst().orElse(null);
        return new InitPlan(false, cgroup.joinFiles(), newCgroupNs, joinCgroupNs, null, root,
                emptyToNull(spec.hostname()), emptyToNull(spec.domainname()), linux.sysctl(), rlimits(p), p.oomScoreAdj(),
                p.user().uid(), p.user().gid(), p.user().additionalGids(), p.user().umask(), caps(p),
                p.noNewPrivileges(), seccomp(spec), p.args(), p.env(), p.cwd() == null ? "/" : p.cwd(), o.execFifo(),
                p.terminal(), o.consoleSocket(), !spec.hooks().prestart().isEmpty() || !spec.hooks().createRuntime().isEmpty(),
                o.preserveFds(), containerHooks(id, spec, bundle), lsm.labels(p), consoleSize(p));
    }

    /**
     * jrunc exec: the process joins the running container's namespaces and cgroup.
     * @param initNsDir the /proc directory whose ns/mnt and ns/cgroup are the container's (its init's exec thread)
     */
    public static InitPlan forExec(Spec spec, Process p, String initNsDir, CgroupManager cgroup, String consoleSocket, int preserveFds) {
        HostLsm lsm = HostLsm.current();
        lsm.check(p, null);
        boolean cgroupNs = spec.linux().namespaces().stream().anyMatch(n -> n.type().equals("cgroup"));
        return new InitPlan(true, cgroup.joinFiles(), false, cgroupNs ? initNsDir + "/ns/cgroup" : null,
                initNsDir + "/ns/mnt", null, null, null, Map.of(), rlimits(p), p.oomScoreAdj(),
                p.user().uid(), p.user().gid(), p.user().additionalGids(), p.user().umask(), caps(p),
                p.noNewPrivileges(), seccomp(spec), p.args(), p.env(), p.cwd() == null ? "/" : p.cwd(), null,
                p.terminal(), consoleSocket, false, preserveFds, null, lsm.labels(p), consoleSize(p));
    }

    /** runc's rule: a terminal process whose consoleSize has both a height and a width gets it; else none. */
    static InitPlan.ConsoleSize consoleSize(Process p) {
        Process.ConsoleSize c = p.consoleSize();
        if (!p.terminal() || c == null || c.height() <= 0 || c.width() <= 0) return null;
        return new InitPlan.ConsoleSize(c.height(), c.width());
    }

    private static InitPlan.ContainerHooks containerHooks(String id, Spec spec, Path bundle) {
        var h = spec.hooks();
        if (h.createContainer().isEmpty() && h.startContainer().isEmpty()) return null;
        return new InitPlan.ContainerHooks(Containers.OCI_VERSION, id, bundle.toString(), spec.annotations(),
                h.createContainer(), h.startContainer());
    }

    private static void cgroupMount(List<MountStep> steps, String dest, MountOptions opts, CgroupManager cgroup) {
        long flags = opts.flags() & ~MS_RDONLY;
        if (cgroup.unified()) {
            steps.add(new MountStep(MountStep.Kind.FS, "cgroup", dest, "cgroup2", opts.flags(), 0, 0, null));
            return;
        }
        // v1: a tmpfs holding one bind mount of the container's own directory per hierarchy, as runc does.
        steps.add(new MountStep(MountStep.Kind.FS, "tmpfs", dest, "tmpfs", flags, 0, 0, "mode=755"));
        for (var e : cgroup.hierarchyBinds().entrySet()) {
            steps.add(new MountStep(MountStep.Kind.BIND, e.getValue(), dest + "/" + e.getKey(), "", MS_BIND,
                    opts.flags() | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, null));
        }
        for (var e : cgroup.hierarchySymlinks().entrySet()) {
            steps.add(new MountStep(MountStep.Kind.SYMLINK, e.getValue(), dest + "/" + e.getKey(), "", 0, 0, 0, null));
        }
        // like runc 1.1, the tmpfs itself stays writable; the hierarchies in it are read-only
    }

    private static List<InitPlan.Limit> rlimits(Process p) {
        return p.rlimits().stream().map(r -> new InitPlan.Limit(Rlimits.resource(r.type()), r.softValue(), r.hardValue())).toList();
    }

    static InitPlan.CapSets caps(Process p) {
        var c = p.capabilities();
        int last = CapabilityNames.lastCap();
        var ignored = new java.util.LinkedHashSet<String>();
        var sets = new InitPlan.CapSets(CapabilityNames.mask(c.bounding(), last, ignored), CapabilityNames.mask(c.effective(), last, ignored),
                CapabilityNames.mask(c.inheritable(), last, ignored), CapabilityNames.mask(c.permitted(), last, ignored),
                CapabilityNames.mask(c.ambient(), last, ignored));
        if (!ignored.isEmpty()) System.err.println("jrunc: warning: ignoring unknown or unavailable capabilities: " + ignored);
        return sets;
    }

    private static byte[] seccomp(Spec spec) {
        if (spec.linux().seccomp() == null) return new byte[0];
        return io.jcontainerd.runtime.seccomp.SeccompCompiler.compile(spec.linux().seccomp());
    }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }
}
