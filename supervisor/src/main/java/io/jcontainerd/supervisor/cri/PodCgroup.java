package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.LinuxContainerResources;
import io.jcontainerd.api.cri.v1.LinuxPodSandboxConfig;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pod's cgroup (its {@code cgroup_parent}, under which the pause container and every container
 * of the pod get theirs) limited to the pod's {@code resources} plus its {@code overhead}, as kubelet
 * sizes a pod cgroup: memory limit, CPU quota (over the resources' period, 100 ms if none) and shares.
 * Written by the daemon before the pause container starts (cgroup v1: the memory and cpu
 * hierarchies; v2: memory.max, cpu.max, cpu.weight); the directory is removed with the pod, from
 * every hierarchy the runtime made it in too.
 */
record PodCgroup(String parent, Map<String, String> v1Memory, Map<String, String> v1Cpu, Map<String, String> v2) {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Null when the pod asks for no limits. */
    static PodCgroup of(String who, LinuxPodSandboxConfig linux) {
        LinuxContainerResources r = linux.getResources();
        LinuxContainerResources o = linux.getOverhead();
        long memory = r.getMemoryLimitInBytes() > 0 ? r.getMemoryLimitInBytes() + Math.max(0, o.getMemoryLimitInBytes()) : 0;
        long period = r.getCpuPeriod() > 0 ? r.getCpuPeriod() : 100_000;
        long quota = r.getCpuQuota() > 0 ? r.getCpuQuota() + Math.max(0, o.getCpuQuota()) : 0;
        long shares = r.getCpuShares() > 0 ? r.getCpuShares() + Math.max(0, o.getCpuShares()) : 0;
        if (memory == 0 && quota == 0 && shares == 0) {
            return null;
        }
        String parent = linux.getCgroupParent().replaceAll("/+$", "");
        if (parent.isEmpty() || !parent.startsWith("/") || parent.contains("/../") || parent.endsWith("/..") || parent.contains("/./")) {
            throw JcdException.invalidArgument("%s: resources/overhead need the pod's own cgroup: give cgroup_parent, an absolute cgroupfs path "
                    + "(kubelet --cgroup-driver=cgroupfs gives /kubepods/.../pod<uid>); got \"%s\"", who, linux.getCgroupParent());
        }
        Map<String, String> mem = new LinkedHashMap<>();
        Map<String, String> cpu = new LinkedHashMap<>();
        Map<String, String> v2 = new LinkedHashMap<>();
        if (memory > 0) {
            mem.put("memory.limit_in_bytes", Long.toString(memory));
            v2.put("memory.max", Long.toString(memory));
        }
        if (quota > 0) {
            cpu.put("cpu.cfs_period_us", Long.toString(period));
            cpu.put("cpu.cfs_quota_us", Long.toString(quota));
            v2.put("cpu.max", quota + " " + period);
        }
        if (shares > 0) {
            cpu.put("cpu.shares", Long.toString(shares));
            // runc's conversion of shares (2-262144) to weight (1-10000)
            long s = Math.min(262_144, Math.max(2, shares));
            v2.put("cpu.weight", Long.toString(1 + ((s - 2) * 9999) / 262_142));
        }
        return new PodCgroup(parent, mem, cpu, v2);
    }

    private static boolean unified() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }

    private Path dir(String hierarchy) {
        String rel = parent.substring(1);
        return hierarchy.isEmpty() ? ROOT.resolve(rel) : ROOT.resolve(hierarchy).resolve(rel);
    }

    /** Makes the pod's cgroup and writes its limits. */
    void apply() {
        if (unified()) {
            Path d = dir("");
            mkdirs(d);
            // the controllers must be enabled in every ancestor down to the pod's cgroup
            Path rel = ROOT.relativize(d);
            Path p = ROOT;
            for (int i = 0; i < rel.getNameCount(); i++) {
                try {
                    Files.writeString(p.resolve("cgroup.subtree_control"), "+memory +cpu");
                } catch (IOException e) {
                    throw failed(p.resolve("cgroup.subtree_control"), e);
                }
                p = p.resolve(rel.getName(i));
            }
            write(d, v2);
        } else {
            if (!v1Memory.isEmpty()) {
                mkdirs(dir("memory"));
                write(dir("memory"), v1Memory);
            }
            if (!v1Cpu.isEmpty()) {
                mkdirs(dir("cpu"));
                write(dir("cpu"), v1Cpu);
            }
        }
    }

    /**
     * Removes the pod's cgroup directories (empty once its containers are gone) from every hierarchy:
     * on cgroup v1 the daemon makes it in memory and cpu, and the runtime makes it in every other
     * hierarchy (blkio, cpuset, pids, name=systemd, the hybrid's unified, ...) as the parent of the
     * containers' cgroups. Gone already is fine; returns what could not go.
     */
    java.util.List<String> remove() {
        java.util.List<String> left = new java.util.ArrayList<>();
        for (Path d : unified() ? java.util.List.of(dir("")) : v1Dirs()) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                left.add(d + ": " + e.getMessage());
            }
        }
        return left;
    }

    /** The pod's directory in each v1 hierarchy mounted under /sys/fs/cgroup (a symlink such as cpu,cpuacct counted once, by its target). */
    private java.util.List<Path> v1Dirs() {
        java.util.List<Path> dirs = new java.util.ArrayList<>(java.util.List.of(dir("memory"), dir("cpu")));
        try (var hierarchies = Files.list(ROOT)) {
            for (Path h : hierarchies.sorted().toList()) {
                if (!Files.isSymbolicLink(h) && Files.isRegularFile(h.resolve("cgroup.procs"))) {
                    Path d = dir(h.getFileName().toString());
                    if (!dirs.contains(d)) {
                        dirs.add(d);
                    }
                }
            }
        } catch (IOException e) {
            // memory and cpu, the ones the daemon made, are still tried
        }
        return dirs;
    }

    private static void mkdirs(Path d) {
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw failed(d, e);
        }
    }

    private static void write(Path d, Map<String, String> files) {
        for (var e : files.entrySet()) {
            try {
                Files.writeString(d.resolve(e.getKey()), e.getValue());
            } catch (IOException ex) {
                throw failed(d.resolve(e.getKey()), ex);
            }
        }
    }

    private static JcdException failed(Path p, IOException e) {
        return JcdException.of(ErrorKind.UNKNOWN, "cannot set the pod's cgroup " + p + ": " + e.getMessage(), e);
    }
}
