package io.jcontainerd.supervisor.cri;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The CFS bandwidth counters of one cgroup, from its {@code cpu.stat} as cAdvisor reads them:
 * periods that elapsed with a quota in force, periods in which the cgroup was throttled, and the
 * time it spent throttled (v1 {@code throttled_time} in ns, v2 {@code throttled_usec}).
 */
record CpuThrottling(long periods, long throttledPeriods, long throttledNanos) {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The counters of cgroup {@code path} (absolute, as /k8s.io/id); empty when it does not exist. */
    static Optional<CpuThrottling> read(String path) {
        String rel = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (rel.contains("..")) {
            throw new IllegalArgumentException("cgroup path " + path + " climbs out of /sys/fs/cgroup");
        }
        boolean v2 = CgroupUsage.unified();
        Path stat = (v2 ? ROOT.resolve(rel) : ROOT.resolve("cpu").resolve(rel)).resolve("cpu.stat");
        try {
            return Optional.of(of(CgroupUsage.keyed(stat), v2));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + stat + ": " + e.getMessage(), e);
        }
    }

    /** From cpu.stat's keys: v1 {@code nr_periods, nr_throttled, throttled_time}; v2 the same with {@code throttled_usec}. */
    static CpuThrottling of(Map<String, Long> stat, boolean v2) {
        long throttled = v2 ? stat.getOrDefault("throttled_usec", 0L) * 1000 : stat.getOrDefault("throttled_time", 0L);
        return new CpuThrottling(stat.getOrDefault("nr_periods", 0L), stat.getOrDefault("nr_throttled", 0L), throttled);
    }
}
