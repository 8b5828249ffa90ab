package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the daemon reads of a container's cgroup itself (jrunc makes and limits it): whether the
 * kernel's OOM killer killed a process in it, from {@code memory.events} (cgroup v2) or {@code
 * memory.oom_control} (v1), both counting {@code oom_kill}.
 *
 * @param memoryDir the container's directory in the memory controller's hierarchy
 */
record ContainerCgroup(Path memoryDir, boolean unified) {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The cgroup of an OCI spec's {@code linux.cgroupsPath} (an absolute cgroupfs path) on this host. */
    static ContainerCgroup of(Map<String, Object> spec) {
        String rel = cgroupsPath(spec).replaceAll("^/+", "");
        boolean unified = Files.exists(ROOT.resolve("cgroup.controllers"));
        return new ContainerCgroup(unified ? ROOT.resolve(rel) : ROOT.resolve("memory").resolve(rel), unified);
    }

    /** The {@code linux.cgroupsPath} of a CRI record's OCI spec. */
    @SuppressWarnings("unchecked")
    static String cgroupsPath(io.jcontainerd.supervisor.containers.ContainerRecord r) {
        try {
            return cgroupsPath(PodSpecs.JSON.readValue(r.spec().value(), Map.class));
        } catch (IOException e) {
            throw io.jcontainerd.config.errdefs.JcdException.failedPrecondition("container %s: its spec is not JSON: %s", r.id(), e.getMessage());
        }
    }

    /** An OCI spec's {@code linux.cgroupsPath}, "" when it has none. */
    static String cgroupsPath(Map<String, Object> spec) {
        Object linux = spec.get("linux");
        return linux instanceof Map<?, ?> l && l.get("cgroupsPath") instanceof String s ? s : "";
    }

    /** True when the OOM killer killed a process of this cgroup (false when the cgroup is gone or unreadable). */
    boolean oomKilled() {
        Path f = memoryDir.resolve(unified ? "memory.events" : "memory.oom_control");
        try {
            for (String line : Files.readAllLines(f)) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2 && kv[0].equals("oom_kill")) {
                    return Long.parseLong(kv[1]) > 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
