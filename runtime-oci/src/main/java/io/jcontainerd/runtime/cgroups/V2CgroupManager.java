package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.Errno;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.SyscallException;
import io.jcontainerd.runtime.linux.Syscalls;
import io.jcontainerd.runtime.spec.Resources;
import io.jcontainerd.runtime.spec.Resources.DeviceRule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jcontainerd.runtime.linux.LinuxConstants.O_CLOEXEC;
import static io.jcontainerd.runtime.linux.LinuxConstants.O_DIRECTORY;
import static io.jcontainerd.runtime.linux.LinuxConstants.O_RDONLY;

/** cgroup v2: one directory in the unified hierarchy; controllers enabled down the path; device rules as an eBPF program. */
public final class V2CgroupManager implements CgroupManager {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private final Path root;
    private final Path dir;
    private final Syscalls sys;

    V2CgroupManager(String path) { this(ROOT, path, new JnaSyscalls()); }

    /**
     * The cgroup at path (such as "/default/c1") below the cgroup2 mount root; a hybrid host has one
     * without controllers at /sys/fs/cgroup/unified, where device programs, freezing and cgroup.events work.
     */
    public V2CgroupManager(Path root, String path, Syscalls sys) {
        this.root = root;
        this.dir = Path.of(root + CgroupManager.clean(path, path));
        this.sys = sys;
    }

    @Override public void create(Resources r) {
        try {
            Path current = root;
            for (Path part : root.relativize(dir)) {
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
        if (!r.devices().isEmpty()) installDeviceFilter(r.devices());
    }

    /** Replaces the cgroup's device programs with one compiled from rules (runc's allow-list appended), as runc does. */
    private void installDeviceFilter(List<DeviceRule> rules) {
        byte[] program = DeviceFilter.compile(rules);
        int cgroup = sys.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        try {
            List<Integer> old = sys.bpfDevicePrograms(cgroup);
            int prog = sys.bpfLoadDeviceProgram(program, DeviceFilter.LICENSE);
            try {
                sys.bpfAttachDeviceProgram(cgroup, prog);
            } finally {
                sys.close(prog); // the attachment holds the program
            }
            detach(cgroup, old);
        } finally {
            sys.close(cgroup);
        }
    }

    /** Detaching the last reference frees a program. */
    private void detach(int cgroup, List<Integer> programIds) {
        for (int id : programIds) {
            int prog;
            try {
                prog = sys.bpfProgram(id);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOENT) continue; // freed meanwhile
                throw e;
            }
            try {
                sys.bpfDetachDeviceProgram(cgroup, prog);
            } finally {
                sys.close(prog);
            }
        }
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

    @Override public void adopt(int pid) { } // the init stage joins cgroup.procs itself (see joinFiles)
    @Override public List<String> joinFiles() { return List.of(dir.resolve("cgroup.procs").toString()); }
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

    @Override public List<Integer> pids() { return CgroupFiles.procsBelow(dir); }

    @Override public Stats stats() {
        Map<String, Long> cpu = CgroupFiles.readKeyed(dir.resolve("cpu.stat"));
        return new Stats(cpu.getOrDefault("usage_usec", 0L) * 1000, cpu.getOrDefault("user_usec", 0L) * 1000,
                cpu.getOrDefault("system_usec", 0L) * 1000, List.of(), CgroupFiles.readLong(dir.resolve("memory.current")),
                CgroupFiles.readLong(dir.resolve("memory.peak")), CgroupFiles.readLong(dir.resolve("memory.max")), 0,
                CgroupFiles.readKeyed(dir.resolve("memory.stat")), CgroupFiles.readLong(dir.resolve("pids.current")),
                Math.max(0, CgroupFiles.readLong(dir.resolve("pids.max"))));
    }

    @Override public void destroy() {
        if (Files.isDirectory(dir)) {
            int cgroup = sys.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            try {
                detach(cgroup, sys.bpfDevicePrograms(cgroup));
            } finally {
                sys.close(cgroup);
            }
        }
        CgroupFiles.rmdir(dir);
    }
    @Override public boolean unified() { return true; }
}
