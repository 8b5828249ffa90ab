package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.spec.Resources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container's cgroup, on a v1 (one directory per controller hierarchy) or v2 (unified) host.
 * The init stage joins it by writing "0" to each {@link #joinFiles()} entry before it does anything
 * else, so all its children are accounted from the start.
 */
public interface CgroupManager {
    /** Creates the directories and applies the limits. */
    void create(Resources resources);

    /**
     * Applies memory, cpu, cpuset, pids and block I/O weight to the existing cgroup; unset fields (and
     * runc's "no change" values: pids 0, empty cpuset) are left as they are, and so are device rules.
     */
    void update(Resources resources);

    /**
     * What the init stage writes "0" to. On v1 hierarchies the {@code tasks} file: it moves only the
     * calling thread (the one that execs the container's process; the JVM's other threads end with the
     * execve) without the global lock the kernel takes to move a whole process (1.5-3 ms per hierarchy
     * for the init JVM, against 10 us), and the JVM's threads never count against the container's pids
     * limit. cgroup2 moves whole processes only (threads alone only in threaded mode): cgroup.procs.
     */
    List<String> joinFiles();

    /**
     * Moves a just-spawned init stage (by pid) into the hierarchies that it does not join itself: on a
     * hybrid v1 host the unified cgroup2 one, which holds no controllers (so no limit applies to the
     * JVM's threads) and can only take whole processes. That move waits for the kernel's global
     * threadgroup lock (~10 ms here); the launcher does it while the init JVM boots, off its path.
     */
    void adopt(int pid);

    /** For a "cgroup" mount inside the container: name under /sys/fs/cgroup → host directory. Empty on v2. */
    Map<String, String> hierarchyBinds();

    /** Symlinks such as cpu -> cpu,cpuacct that v1 hosts show under /sys/fs/cgroup. */
    Map<String, String> hierarchySymlinks();

    void freeze();
    void thaw();
    boolean frozen();

    /** Host pids of every process in the cgroup. */
    List<Integer> pids();

    Stats stats();

    /** Removes the container's directories (not its parents); safe when already gone. */
    void destroy();

    boolean unified();

    static boolean hostIsUnified() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    /**
     * The cgroup of a container being created: cgroupsPath as containerd passes it ("/default/id"), or
     * runc's default "/&lt;id&gt;"; on v1 the hierarchies are read now from /proc/self/mountinfo.
     */
    static CgroupManager forContainer(String cgroupsPath, String id) {
        String path = normalize(cgroupsPath, id);
        return hostIsUnified() ? new V2CgroupManager(path) : V1CgroupManager.discover(path);
    }

    /**
     * The cgroup of an existing container, as {@link #forContainer}; on v1 in the hierarchies this
     * process last read (an embedder such as the shim operates on its containers many times: each read of
     * mountinfo cost it ~0.4 ms of CPU, five per container), else read now.
     */
    static CgroupManager ofExisting(String cgroupsPath, String id) {
        String path = normalize(cgroupsPath, id);
        return hostIsUnified() ? new V2CgroupManager(path) : V1CgroupManager.existing(path);
    }

    /**
     * cgroupsPath as a path below each hierarchy's root: runc's default "/&lt;id&gt;" when unset, the systemd
     * form laid out as the cgroupfs driver does, then cleaned lexically against "/" (runc's utils.CleanPath):
     * "." and empty components dropped, ".." resolved and never above the root, so that
     * "/../../etc/x" is the cgroup "/etc/x" inside each hierarchy, never a host directory.
     */
    static String normalize(String cgroupsPath, String id) {
        if (cgroupsPath == null || cgroupsPath.isBlank()) return clean("/" + id, id);
        if (cgroupsPath.contains(":") && !cgroupsPath.startsWith("/")) {
            // systemd form slice:prefix:name, mapped onto the plain hierarchy the way the cgroupfs driver lays it out
            String[] p = cgroupsPath.split(":", 3);
            String slice = p[0].isEmpty() ? "system.slice" : p[0];
            return clean("/" + slice + "/" + (p[1].isEmpty() ? "" : p[1] + "-") + p[2] + ".scope", cgroupsPath);
        }
        return clean(cgroupsPath, cgroupsPath);
    }

    /** Lexical clean against "/"; refuses a path that is the hierarchy's root itself (its limits are the host's). */
    static String clean(String path, String asGiven) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) parts.pollLast();
            else parts.addLast(part);
        }
        if (parts.isEmpty()) {
            throw io.jcontainerd.runtime.JruncException.invalidArgument(
                    "config.json: linux.cgroupsPath %s names the cgroup root; give the container a cgroup of its own such as /default/<id>", asGiven);
        }
        return "/" + String.join("/", parts);
    }

    record Stats(long cpuTotal, long cpuUser, long cpuKernel, List<Long> perCpu, long memoryUsage, long memoryMax,
                 long memoryLimit, long memoryFailcnt, Map<String, Long> memoryRaw, long pidsCurrent, long pidsLimit) {}
}
