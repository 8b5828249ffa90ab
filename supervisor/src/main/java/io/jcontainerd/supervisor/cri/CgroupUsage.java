package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CPU and memory of one cgroup (a pod's cgroup parent, or a task's cgroup), read from its files as
 * containerd's cgroups package reads them: cgroup v1 {@code cpuacct.usage}, {@code
 * memory.usage_in_bytes}, {@code memory.limit_in_bytes} and {@code memory.stat}'s hierarchical
 * {@code total_*} counters; v2 {@code cpu.stat usage_usec}, {@code memory.current}, {@code
 * memory.max} and {@code memory.stat}. Each file is read up to 64 KiB.
 *
 * @param limit the memory limit in bytes, -1 for none
 */
record CgroupUsage(long cpuNanos, long memoryUsage, long inactiveFile, long rss, long pageFaults, long majorPageFaults, long limit) {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final int MAX_FILE = 64 * 1024;
    /** The kernel's "no limit" in v1 (PAGE_COUNTER_MAX in pages times the page size, rounded): anything above is none. */
    private static final long V1_UNLIMITED = 1L << 62;

    static boolean unified() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }

    /** The usage of cgroup {@code path} (an absolute cgroupfs path such as /kubepods/pod1); empty when it does not exist. */
    static Optional<CgroupUsage> read(String path) {
        String rel = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (rel.contains("..")) {
            throw new IllegalArgumentException("cgroup path " + path + " climbs out of /sys/fs/cgroup");
        }
        try {
            return Optional.of(unified() ? v2(ROOT.resolve(rel)) : v1(rel));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the usage of cgroup " + path + ": " + e.getMessage(), e);
        }
    }

    /** The working set as containerd and cAdvisor compute it: usage minus inactive file cache. */
    long workingSet() {
        return Math.max(0, memoryUsage - inactiveFile);
    }

    private static CgroupUsage v1(String rel) throws IOException {
        Path memory = ROOT.resolve("memory").resolve(rel);
        Map<String, Long> stat = keyed(memory.resolve("memory.stat"));
        long limit = number(memory.resolve("memory.limit_in_bytes"));
        return new CgroupUsage(number(ROOT.resolve("cpuacct").resolve(rel).resolve("cpuacct.usage")),
                number(memory.resolve("memory.usage_in_bytes")), stat.getOrDefault("total_inactive_file", 0L),
                stat.getOrDefault("total_rss", 0L), stat.getOrDefault("total_pgfault", 0L), stat.getOrDefault("total_pgmajfault", 0L),
                limit >= V1_UNLIMITED ? -1 : limit);
    }

    private static CgroupUsage v2(Path dir) throws IOException {
        Map<String, Long> stat = keyed(dir.resolve("memory.stat"));
        String max = text(dir.resolve("memory.max"));
        return new CgroupUsage(keyed(dir.resolve("cpu.stat")).getOrDefault("usage_usec", 0L) * 1000, number(dir.resolve("memory.current")),
                stat.getOrDefault("inactive_file", 0L), stat.getOrDefault("anon", 0L), stat.getOrDefault("pgfault", 0L),
                stat.getOrDefault("pgmajfault", 0L), max.equals("max") ? -1 : Long.parseLong(max));
    }

    private static long number(Path f) throws IOException {
        return Long.parseLong(text(f));
    }

    /** "key value" lines (memory.stat, cpu.stat); lines of another shape are skipped. */
    static Map<String, Long> keyed(Path f) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : text(f).split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[1].chars().allMatch(Character::isDigit) && !kv[1].isEmpty() && kv[1].length() < 20) {
                out.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return out;
    }

    private static String text(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return new String(in.readNBytes(MAX_FILE), StandardCharsets.US_ASCII).strip();
        }
    }

    /** The sum of several cgroups' usage (a pod without a cgroup of its own: its pause container's and containers'); no limit. */
    static CgroupUsage sum(Iterable<CgroupUsage> parts) {
        long cpu = 0, usage = 0, inactive = 0, rss = 0, faults = 0, major = 0;
        for (CgroupUsage p : parts) {
            cpu += p.cpuNanos;
            usage += p.memoryUsage;
            inactive += p.inactiveFile;
            rss += p.rss;
            faults += p.pageFaults;
            major += p.majorPageFaults;
        }
        return new CgroupUsage(cpu, usage, inactive, rss, faults, major, -1);
    }
}
