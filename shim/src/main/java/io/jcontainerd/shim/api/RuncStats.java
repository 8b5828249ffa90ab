package io.jcontainerd.shim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import io.jcontainerd.api.cgroups.v1.CPUStat;
import io.jcontainerd.api.cgroups.v1.CPUUsage;
import io.jcontainerd.api.cgroups.v1.MemoryEntry;
import io.jcontainerd.api.cgroups.v1.MemoryStat;
import io.jcontainerd.api.cgroups.v1.Metrics;
import io.jcontainerd.api.cgroups.v1.PidsStat;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.AnyTypes;

import java.io.IOException;

/**
 * runc's {@code events --stats} JSON as containerd's {@code io.containerd.cgroups.v1.Metrics}:
 * pids, CPU usage and memory usage, the figures {@code ctr tasks metrics} shows.
 */
final class RuncStats {
    private RuncStats() {
    }

    static Any toMetrics(String runcJson) {
        JsonNode data;
        try {
            data = new ObjectMapper().readTree(runcJson).path("data");
        } catch (IOException e) {
            throw JcdException.failedPrecondition("the OCI runtime's statistics are not JSON (%s): %s", e.getMessage(), runcJson);
        }
        JsonNode pids = data.path("pids");
        JsonNode cpu = data.path("cpu").path("usage");
        JsonNode memory = data.path("memory");
        CPUUsage.Builder usage = CPUUsage.newBuilder()
                .setTotal(cpu.path("total").asLong())
                .setKernel(cpu.path("kernel").asLong())
                .setUser(cpu.path("user").asLong());
        cpu.path("percpu").forEach(n -> usage.addPerCpu(n.asLong()));
        Metrics metrics = Metrics.newBuilder()
                .setPids(PidsStat.newBuilder().setCurrent(pids.path("current").asLong()).setLimit(pids.path("limit").asLong()))
                .setCpu(CPUStat.newBuilder().setUsage(usage))
                .setMemory(MemoryStat.newBuilder()
                        .setUsage(entry(memory.path("usage")))
                        .setSwap(entry(memory.path("swap")))
                        .setKernel(entry(memory.path("kernel")))
                        .setCache(memory.path("cache").asLong())
                        .setRss(memory.path("raw").path("rss").asLong()))
                .build();
        return AnyTypes.pack(metrics);
    }

    private static MemoryEntry entry(JsonNode node) {
        return MemoryEntry.newBuilder()
                .setLimit(node.path("limit").asLong())
                .setUsage(node.path("usage").asLong())
                .setMax(node.path("max").asLong())
                .setFailcnt(node.path("failcnt").asLong())
                .build();
    }
}
