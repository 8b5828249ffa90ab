package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** cgroup v2: one directory in the unified hierarchy; controllers enabled down the path. */
public final class V2CgroupManager implements CgroupManager {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private final Path dir;

    V2CgroupManager(String path) {
        this.dir = Path.of(ROOT + path);
    }

    @Override public void create(Resources r) {
        try {
            Path current = ROOT;
            for (Path part : ROOT.relativize(dir)) {
                String available = CgroupFiles.read(current.resolve("cgroup.controllers"));
                StringBuilder enable = new StringBuilder();
                for (String c : available.split("\\s+")) if (List.of("cpu", "cpuset", "memory", "pids", "io").contains(c)) enable.append('+').append(c).append(' ');
                if (!enable.isEmpty()) {
                    try {
                        CgroupFiles.write(current.resolve("cgroup.subtree_control"), enable.toString().trim());
                    } catch (JruncException ignored) {
                        // a cgroup with processes in it cannot delegate (no internal processes); limits then fail below with a clear file name
                    }
                }
                current = current.resolve(part);
                if (!Files.exists(current)) Files.createDirectory(current);
            }
        } catch (IOException e) {
            throw JruncException.system("cannot create cgroup %s: %s", dir, e.getMessage());
        }
        update(r);
        // Device rules need an eBPF program on v2; not implemented (the devices list is still created as nodes).
    }

    @Override public void update(Resources r) {
        if (r.memory() != null) {
            var m = r.memory();
            if (m.limit() != null) CgroupFiles.write(dir.resolve("memory.max"), m.limit() < 0 ? "max" : Long.toString(m.limit()));
            if (m.swap() != null && m.limit() != null && Files.exists(dir.resolve("memory.swap.max"))) {
                // OCI's swap is memory + swap; v2 limits swap alone
                long swap = m.swap() < 0 || m.limit() < 0 ? -1 : m.swap() - m.limit();
                CgroupFiles.write(dir.resolve("memory.swap.max"), swap < 0 ? "max" : Long.toString(swap));
            }
            if (m.reservation() != null) CgroupFiles.write(dir.resolve("memory.low"), Long.toString(m.reservation()));
        }
        if (r.cpu() != null) {
            var c = r.cpu();
            if (c.shares() != null && c.shares() > 0) {
                long weight = 1 + ((c.shares() - 2) * 9999) / 262142;
                CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(weight));
            }
            boolean quota = c.quota() != null && c.quota() != 0, period = c.period() != null && c.period() > 0;
            if (quota || period) {
                String max = quota && c.quota() > 0 ? Long.toString(c.quota()) : "max";
                CgroupFiles.write(dir.resolve("cpu.max"), period ? max + " " + c.period() : max);
            }
            if (c.cpus() != null && !c.cpus().isEmpty()) CgroupFiles.write(dir.resolve("cpuset.cpus"), c.cpus());
            if (c.mems() != null && !c.mems().isEmpty()) CgroupFiles.write(dir.resolve("cpuset.mems"), c.mems());
        }
        if (r.pids() != null && r.pids().limit() != 0) {
            CgroupFiles.write(dir.resolve("pids.max"), r.pids().limit() > 0 ? Long.toString(r.pids().limit()) : "max");
        }
        if (r.blockIO() != null && r.blockIO().weight() != null && r.blockIO().weight() != 0) {
            // v1's 10..1000 onto v2's 1..10000, as runc converts it
            long weight = 1 + (r.blockIO().weight() - 10L) * 9999 / 990;
            CgroupFiles.write(dir.resolve("io.weight"), "default " + weight);
        }
    }

    @Override public List<String> procsFiles() { return List.of(dir.resolve("cgroup.procs").toString()); }
    @Override public Map<String, String> hierarchyBinds() { return Map.of(); }
    @Override public Map<String, String> hierarchySymlinks() { return Map.of(); }

    @Override public void freeze() {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
        CgroupFiles.awaitValue(dir.resolve("cgroup.events"), "frozen 1", "the container to freeze");
    }

    @Override public void thaw() {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
        CgroupFiles.awaitValue(dir.resolve("cgroup.events"), "frozen 0", "the container to thaw");
    }

    @Override public boolean frozen() { return CgroupFiles.read(dir.resolve("cgroup.freeze")).equals("1"); }

    @Override public List<Integer> pids() {
        List<Integer> out = new ArrayList<>();
        for (String l : CgroupFiles.read(dir.resolve("cgroup.procs")).split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.trim()));
        return out;
    }

    @Override public Stats stats() {
        Map<String, Long> cpu = CgroupFiles.readKeyed(dir.resolve("cpu.stat"));
        return new Stats(cpu.getOrDefault("usage_usec", 0L) * 1000, cpu.getOrDefault("user_usec", 0L) * 1000,
                cpu.getOrDefault("system_usec", 0L) * 1000, List.of(), CgroupFiles.readLong(dir.resolve("memory.current")),
                CgroupFiles.readLong(dir.resolve("memory.peak")), CgroupFiles.readLong(dir.resolve("memory.max")), 0,
                CgroupFiles.readKeyed(dir.resolve("memory.stat")), CgroupFiles.readLong(dir.resolve("pids.current")),
                Math.max(0, CgroupFiles.readLong(dir.resolve("pids.max"))));
    }

    @Override public void destroy() { CgroupFiles.rmdir(dir); }
    @Override public boolean unified() { return true; }
}
