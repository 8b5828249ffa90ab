package io.jcontainerd.supervisor.docker.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cgroups.v1.BlkIOEntry;
import io.jcontainerd.api.services.tasks.v1.MetricsRequest;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.containers.LiveContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One {@code docker stats} sample of a container in dockerd's shape: cpu_stats, memory_stats,
 * pids_stats and blkio_stats from the task's cgroup (the Tasks.Metrics RPC, cgroup v1 or v2),
 * system_cpu_usage from /proc/stat, networks from the container's /proc/&lt;pid&gt;/net/dev.
 */
final class ContainerStats {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** USER_HZ: /proc/stat counts in 1/100 s. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ContainerStats() {
    }

    /** A sample of {@code c}; an empty one (zeros, as dockerd's for a stopped container) when it does not run. */
    static ObjectNode sample(Containerd cd, LiveContainer c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("read", Instant.now().toString()).put("preread", "0001-01-01T00:00:00Z");
        ObjectNode pids = n.putObject("pids_stats");
        ObjectNode blkio = n.putObject("blkio_stats");
        n.put("num_procs", 0).putObject("storage_stats");
        ObjectNode cpu = n.putObject("cpu_stats");
        ObjectNode mem = n.putObject("memory_stats");
        n.put("name", "/" + c.doc().name()).put("id", c.id());
        if (!c.running()) {
            cpu.putObject("cpu_usage").put("total_usage", 0).put("usage_in_kernelmode", 0).put("usage_in_usermode", 0);
            cpu.putObject("throttling_data").put("periods", 0).put("throttled_periods", 0).put("throttled_time", 0);
            n.put("read", "0001-01-01T00:00:00Z");
            return n;
        }
        Any data;
        try {
            var metrics = cd.tasks().metrics(MetricsRequest.newBuilder().addFilters("id==" + c.id()).build()).getMetricsList();
            if (metrics.isEmpty()) {
                return n;
            }
            data = metrics.getFirst().getData();
        } catch (StatusRuntimeException e) {
            return n;
        }
        try {
            if (data.getTypeUrl().endsWith("cgroups.v1.Metrics")) {
                v1(io.jcontainerd.api.cgroups.v1.Metrics.parseFrom(data.getValue()), pids, blkio, cpu, mem);
            } else if (data.getTypeUrl().endsWith("cgroups.v2.Metrics")) {
                v2(io.jcontainerd.api.cgroups.v2.Metrics.parseFrom(data.getValue()), pids, cpu, mem);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the task's metrics of " + c.id() + " are not a cgroups Metrics message: " + e.getMessage(), e);
        }
        cpu.put("system_cpu_usage", systemCpuNanos()).put("online_cpus", Runtime.getRuntime().availableProcessors());
        networks(n, c.doc().state().pid());
        return n;
    }

    private static void v1(io.jcontainerd.api.cgroups.v1.Metrics m, ObjectNode pids, ObjectNode blkio, ObjectNode cpu, ObjectNode mem) {
        pids.put("current", m.getPids().getCurrent());
        if (m.getPids().getLimit() > 0) {
            pids.put("limit", m.getPids().getLimit());
        }
        var u = m.getCpu().getUsage();
        ObjectNode usage = cpu.putObject("cpu_usage").put("total_usage", u.getTotal());
        ArrayNode per = usage.putArray("percpu_usage");
        u.getPerCpuList().forEach(per::add);
        usage.put("usage_in_kernelmode", u.getKernel()).put("usage_in_usermode", u.getUser());
        var t = m.getCpu().getThrottling();
        cpu.putObject("throttling_data").put("periods", t.getPeriods()).put("throttled_periods", t.getThrottledPeriods())
                .put("throttled_time", t.getThrottledTime());
        var ms = m.getMemory();
        mem.put("usage", ms.getUsage().getUsage()).put("max_usage", ms.getUsage().getMax()).put("failcnt", ms.getUsage().getFailcnt());
        mem.putObject("stats").put("active_anon", ms.getActiveAnon()).put("active_file", ms.getActiveFile()).put("cache", ms.getCache())
                .put("dirty", ms.getDirty()).put("hierarchical_memory_limit", ms.getHierarchicalMemoryLimit())
                .put("inactive_anon", ms.getInactiveAnon()).put("inactive_file", ms.getInactiveFile()).put("mapped_file", ms.getMappedFile())
                .put("pgfault", ms.getPgFault()).put("pgmajfault", ms.getPgMajFault()).put("rss", ms.getRss())
                .put("total_cache", ms.getTotalCache()).put("total_inactive_file", ms.getTotalInactiveFile())
                .put("total_rss", ms.getTotalRss()).put("unevictable", ms.getUnevictable()).put("writeback", ms.getWriteback());
        mem.put("limit", ms.getUsage().getLimit() > 0 && ms.getUsage().getLimit() < Long.MAX_VALUE / 2 ? ms.getUsage().getLimit() : hostMemory());
        blk(blkio.putArray("io_service_bytes_recursive"), m.getBlkio().getIoServiceBytesRecursiveList());
        blk(blkio.putArray("io_serviced_recursive"), m.getBlkio().getIoServicedRecursiveList());
        for (String f : List.of("io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
                "io_time_recursive", "sectors_recursive")) {
            blkio.putNull(f);
        }
    }

    private static void blk(ArrayNode a, List<BlkIOEntry> entries) {
        for (BlkIOEntry e : entries) {
            a.addObject().put("major", e.getMajor()).put("minor", e.getMinor()).put("op", e.getOp()).put("value", e.getValue());
        }
    }

    private static void v2(io.jcontainerd.api.cgroups.v2.Metrics m, ObjectNode pids, ObjectNode cpu, ObjectNode mem) {
        pids.put("current", m.getPids().getCurrent());
        if (m.getPids().getLimit() > 0) {
            pids.put("limit", m.getPids().getLimit());
        }
        var c = m.getCpu();
        cpu.putObject("cpu_usage").put("total_usage", c.getUsageUsec() * 1000).put("usage_in_kernelmode", c.getSystemUsec() * 1000)
                .put("usage_in_usermode", c.getUserUsec() * 1000);
        cpu.putObject("throttling_data").put("periods", c.getNrPeriods()).put("throttled_periods", c.getNrThrottled())
                .put("throttled_time", c.getThrottledUsec() * 1000);
        var ms = m.getMemory();
        mem.put("usage", ms.getUsage());
        mem.putObject("stats").put("anon", ms.getAnon()).put("file", ms.getFile()).put("inactive_file", ms.getInactiveFile())
                .put("active_file", ms.getActiveFile()).put("pgfault", ms.getPgfault()).put("pgmajfault", ms.getPgmajfault());
        mem.put("limit", ms.getUsageLimit() > 0 && ms.getUsageLimit() < Long.MAX_VALUE / 2 ? ms.getUsageLimit() : hostMemory());
    }

    /** The host's CPU time in ns, all CPUs, all states: the first line of /proc/stat. */
    static long systemCpuNanos() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            String cpu = lines.filter(l -> l.startsWith("cpu ")).findFirst().orElse("cpu 0");
            long ticks = 0;
            String[] f = cpu.trim().split("\\s+");
            for (int i = 1; i < f.length && i <= 8; i++) {
                ticks += Long.parseLong(f[i]);
            }
            return ticks * NANOS_PER_TICK;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static long hostMemory() {
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The interfaces of the container's network namespace but lo, from its init's /proc/pid/net/dev. */
    private static void networks(ObjectNode n, long pid) {
        if (pid <= 0) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/" + pid + "/net/dev"));
        } catch (IOException e) {
            return;
        }
        ObjectNode nets = JSON.createObjectNode();
        for (String l : lines.subList(Math.min(2, lines.size()), lines.size())) {
            String[] parts = l.split(":", 2);
            String name = parts[0].strip();
            if (parts.length < 2 || name.equals("lo")) {
                continue;
            }
            String[] v = parts[1].trim().split("\\s+");
            if (v.length < 16) {
                continue;
            }
            nets.putObject(name).put("rx_bytes", Long.parseLong(v[0])).put("rx_packets", Long.parseLong(v[1]))
                    .put("rx_errors", Long.parseLong(v[2])).put("rx_dropped", Long.parseLong(v[3]))
                    .put("tx_bytes", Long.parseLong(v[8])).put("tx_packets", Long.parseLong(v[9]))
                    .put("tx_errors", Long.parseLong(v[10])).put("tx_dropped", Long.parseLong(v[11]));
        }
        if (!nets.isEmpty()) {
            n.set("networks", nets);
        }
    }
}
