package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** cgroup v1: one directory per mounted controller hierarchy (cpu,cpuacct / memory / pids / freezer / ...). */
public final class V1CgroupManager implements CgroupManager {
    private static final Set<String> CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer",
            "devices", "blkio", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc");
    private static final String UNIFIED = "unified";

    /** hierarchy mount point name (e.g. "cpu,cpuacct") → its controllers. */
    private final Map<Path, List<String>> hierarchies;
    private final String path;

    V1CgroupManager(Map<Path, List<String>> hierarchies, String path) {
        this.hierarchies = hierarchies;
        this.path = CgroupManager.clean(path, path);
    }

    /**
     * The hierarchies as last read from /proc/self/mountinfo, for operations on an existing container
     * (state, kill, delete, stats, pause: four or five per container in a shim, each of which read and
     * parsed the whole mountinfo). A create reads it again ({@link #discover}), so a hierarchy mounted
     * since is used from the next container on.
     */
    private static volatile Map<Path, List<String>> known;

    /** This container's cgroup in the hierarchies read now from /proc/self/mountinfo (a create: it makes the directories). */
    static V1CgroupManager discover(String path) {
        Map<Path, List<String>> found;
        try {
            found = hierarchies(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw JruncException.system("cannot read /proc/self/mountinfo: %s", e.getMessage());
        }
        if (found.isEmpty()) throw JruncException.system("no cgroup v1 hierarchy is mounted and /sys/fs/cgroup is not cgroup2");
        known = found;
        return new V1CgroupManager(found, path);
    }

    /** This container's cgroup in the hierarchies this process last read ({@link #known}); read now if it has read none. */
    static V1CgroupManager existing(String path) {
        Map<Path, List<String>> found = known;
        return found == null ? discover(path) : new V1CgroupManager(found, path);
    }

    /**
     * The cgroup hierarchies among mountinfo's lines: mount point → the controllers of ours it holds
     * (or "unified" for a hybrid host's cgroup2 mount), the first mount of each point; immutable.
     */
    static Map<Path, List<String>> hierarchies(List<String> mountinfo) {
        Map<Path, List<String>> found = new LinkedHashMap<>();
        for (String line : mountinfo) {
            int sep = line.indexOf(" - "); // the optional fields end at a lone "-" (no regex: split(" - ") compiled one per line)
            if (sep < 0) continue;
            String[] post = line.substring(sep + 3).split(" ");
            String[] pre = line.substring(0, sep).split(" ");
            if (pre.length < 5) continue;
            String mountPoint = pre[4];
            if (post[0].equals("cgroup2") && post.length >= 2) {
                // hybrid host: join the unified hierarchy too, as runc does (no limits there)
                found.putIfAbsent(Path.of(mountPoint), List.of(UNIFIED));
                continue;
            }
            if (!post[0].equals("cgroup") || post.length < 3) continue;
            List<String> ctrls = Arrays.stream(post[2].split(",")).filter(o -> CONTROLLERS.contains(o) || o.equals("name=systemd")).toList();
            if (!ctrls.isEmpty()) found.putIfAbsent(Path.of(mountPoint), ctrls);
        }
        return java.util.Collections.unmodifiableMap(found);
    }

    private Path dir(Path mount) { return Path.of(mount + path); }

    private Path controller(String name) {
        for (var e : hierarchies.entrySet()) if (e.getValue().contains(name)) return dir(e.getKey());
        return null;
    }

    @Override public void create(Resources r) {
        for (Path mount : hierarchies.keySet()) {
            Path d = dir(mount);
            try {
                if (hierarchies.get(mount).contains("cpuset")) createCpuset(mount, d);
                else Files.createDirectories(d);
            } catch (IOException e) {
                throw JruncException.system("cannot create cgroup %s: %s", d, e.getMessage());
            }
        }
        update(r);
        Path devices = controller("devices");
        if (devices != null && !r.devices().isEmpty()) {
            for (var rule : r.devices()) CgroupFiles.write(devices.resolve(rule.allow() ? "devices.allow" : "devices.deny"), DeviceRules.v1(rule));
            for (var rule : DeviceRules.DEFAULTS) CgroupFiles.write(devices.resolve("devices.allow"), DeviceRules.v1(rule));
        }
    }

    @Override public void update(Resources r) {
        Path mem = controller("memory");
        if (r.memory() != null && mem != null) {
            var m = r.memory();
            memoryAndSwap(mem, m.limit(), m.swap());
            if (m.reservation() != null) CgroupFiles.write(mem.resolve("memory.soft_limit_in_bytes"), Long.toString(m.reservation()));
            if (m.swappiness() != null && m.swappiness() >= 0 && m.swappiness() <= 100) {
                CgroupFiles.write(mem.resolve("memory.swappiness"), Long.toString(m.swappiness()));
            }
        }
        Path cpu = controller("cpu");
        if (r.cpu() != null && cpu != null) {
            var c = r.cpu();
            if (c.shares() != null && c.shares() > 0) CgroupFiles.write(cpu.resolve("cpu.shares"), Long.toString(c.shares()));
            if (c.period() != null && c.period() > 0) CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(c.period()));
            if (c.quota() != null && c.quota() != 0) CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(c.quota()));
            if (c.realtimePeriod() != null && c.realtimePeriod() > 0) CgroupFiles.write(cpu.resolve("cpu.rt_period_us"), Long.toString(c.realtimePeriod()));
            if (c.realtimeRuntime() != null && c.realtimeRuntime() != 0) CgroupFiles.write(cpu.resolve("cpu.rt_runtime_us"), Long.toString(c.realtimeRuntime()));
        }
        Path cpuset = controller("cpuset");
        if (r.cpu() != null && cpuset != null) {
            if (r.cpu().cpus() != null && !r.cpu().cpus().isEmpty()) CgroupFiles.write(cpuset.resolve("cpuset.cpus"), r.cpu().cpus());
            if (r.cpu().mems() != null && !r.cpu().mems().isEmpty()) CgroupFiles.write(cpuset.resolve("cpuset.mems"), r.cpu().mems());
        }
        Path pids = controller("pids");
        if (r.pids() != null && r.pids().limit() != 0 && pids != null) {
            CgroupFiles.write(pids.resolve("pids.max"), r.pids().limit() > 0 ? Long.toString(r.pids().limit()) : "max");
        }
        Path blkio = controller("blkio");
        if (r.blockIO() != null && r.blockIO().weight() != null && r.blockIO().weight() != 0 && blkio != null) {
            Path weight = Files.exists(blkio.resolve("blkio.weight")) ? blkio.resolve("blkio.weight") : blkio.resolve("blkio.bfq.weight");
            if (!Files.exists(weight)) {
                throw JruncException.failedPrecondition("blockIO.weight %d: %s has neither blkio.weight nor blkio.bfq.weight (no weight-based I/O scheduler)", r.blockIO().weight(), blkio);
            }
            CgroupFiles.write(weight, Integer.toString(r.blockIO().weight()));
        }
    }

    /**
     * memory.limit_in_bytes may never exceed memory.memsw.limit_in_bytes, so which one goes first depends on
     * whether the limits grow or shrink (runc's order). A limit of -1 without a swap value lifts both.
     */
    private static void memoryAndSwap(Path mem, Long limit, Long swap) {
        Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
        boolean hasSwap = Files.exists(memsw);
        if (limit != null && limit == -1 && swap == null && hasSwap) swap = -1L;
        if (swap != null && !hasSwap) swap = null;
        boolean swapFirst = limit != null && swap != null
                && (swap == -1 || CgroupFiles.readLong(mem.resolve("memory.limit_in_bytes")) < swap);
        if (swapFirst) CgroupFiles.write(memsw, Long.toString(swap));
        if (limit != null) CgroupFiles.write(mem.resolve("memory.limit_in_bytes"), Long.toString(limit));
        if (swap != null && !swapFirst) CgroupFiles.write(memsw, Long.toString(swap));
    }

    /**
     * A new cpuset cgroup starts with no cpus or mems; copy them down from the parent, level by level.
     * Every level is filled when empty, also one this create did not make: a concurrent create (two
     * containers of a new namespace) may have made /&lt;namespace&gt; and not yet filled it, and a child
     * made under an empty parent stays empty, so joining it fails with ENOSPC.
     */
    private static void createCpuset(Path mount, Path target) throws IOException {
        Path current = mount;
        for (Path part : mount.relativize(target)) {
            Path next = current.resolve(part);
            try {
                Files.createDirectory(next);
            } catch (java.nio.file.FileAlreadyExistsException madeByAnother) {
                // filled below if its maker has not yet
            }
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFiles.read(next.resolve(f)).isEmpty()) CgroupFiles.write(next.resolve(f), CgroupFiles.read(current.resolve(f)));
            }
            current = next;
        }
    }

    @Override public List<String> joinFiles() {
        return hierarchies.keySet().stream().filter(m -> !hierarchies.get(m).contains(UNIFIED))
                .map(m -> dir(m).resolve("tasks").toString()).toList();
    }

    @Override public void adopt(int pid) {
        for (Path m : hierarchies.keySet()) {
            if (hierarchies.get(m).contains(UNIFIED)) CgroupFiles.write(dir(m).resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    @Override public Map<String, String> hierarchyBinds() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path m : hierarchies.keySet()) if (!hierarchies.get(m).contains(UNIFIED)) out.put(m.getFileName().toString(), dir(m).toString());
        return out;
    }

    @Override public Map<String, String> hierarchySymlinks() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path m : hierarchies.keySet()) {
            String name = m.getFileName().toString();
            if (!name.contains(",")) continue;
            for (String c : name.split(",")) out.put(c, name);
        }
        return out;
    }

    @Override public void freeze() {
        Path f = requireController("freezer");
        CgroupFiles.write(f.resolve("freezer.state"), "FROZEN");
        CgroupFiles.awaitValue(f.resolve("freezer.state"), "FROZEN", "the container to freeze");
    }

    @Override public void thaw() {
        Path f = requireController("freezer");
        CgroupFiles.write(f.resolve("freezer.state"), "THAWED");
        CgroupFiles.awaitValue(f.resolve("freezer.state"), "THAWED", "the container to thaw");
    }

    @Override public boolean frozen() {
        Path f = controller("freezer");
        return f != null && CgroupFiles.read(f.resolve("freezer.state")).equals("FROZEN");
    }

    private Path requireController(String name) {
        Path p = controller(name);
        if (p == null) throw JruncException.failedPrecondition("the %s cgroup controller is not mounted on this host", name);
        return p;
    }

    @Override public List<Integer> pids() {
        Path any = controller("pids") != null ? controller("pids") : controller("freezer") != null ? controller("freezer") : dir(hierarchies.keySet().iterator().next());
        return CgroupFiles.procsBelow(any);
    }

    @Override public Stats stats() {
        Path cpuacct = controller("cpuacct"), mem = controller("memory"), pids = controller("pids");
        List<Long> perCpu = new ArrayList<>();
        long total = 0, user = 0, kernel = 0;
        if (cpuacct != null) {
            total = CgroupFiles.readLong(cpuacct.resolve("cpuacct.usage"));
            for (String s : CgroupFiles.read(cpuacct.resolve("cpuacct.usage_percpu")).split("\\s+")) if (!s.isBlank()) perCpu.add(Long.parseLong(s));
            Map<String, Long> st = CgroupFiles.readKeyed(cpuacct.resolve("cpuacct.stat"));
            long tick = 10_000_000L; // USER_HZ=100 → ns
            user = st.getOrDefault("user", 0L) * tick;
            kernel = st.getOrDefault("system", 0L) * tick;
        }
        long usage = 0, max = 0, limit = 0, failcnt = 0;
        Map<String, Long> raw = Map.of();
        if (mem != null) {
            usage = CgroupFiles.readLong(mem.resolve("memory.usage_in_bytes"));
            max = CgroupFiles.readLong(mem.resolve("memory.max_usage_in_bytes"));
            limit = CgroupFiles.readLong(mem.resolve("memory.limit_in_bytes"));
            failcnt = CgroupFiles.readLong(mem.resolve("memory.failcnt"));
            raw = CgroupFiles.readKeyed(mem.resolve("memory.stat"));
        }
        long current = pids == null ? 0 : CgroupFiles.readLong(pids.resolve("pids.current"));
        long pidsMax = pids == null ? 0 : Math.max(0, CgroupFiles.readLong(pids.resolve("pids.max")));
        return new Stats(total, user, kernel, perCpu, usage, max, limit, failcnt, raw, current, pidsMax);
    }

    @Override public void destroy() {
        for (Path m : hierarchies.keySet()) CgroupFiles.rmdir(dir(m));
    }

    @Override public boolean unified() { return false; }
}
