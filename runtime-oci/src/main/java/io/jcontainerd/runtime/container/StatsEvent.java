package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.spec.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/** runc's stats event ({@code events --stats}): one JSON line per sample. */
public final class StatsEvent {
    private StatsEvent() {}

    public static String json(String id, CgroupManager.Stats st) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("total", st.cpuTotal());
        usage.put("percpu", st.perCpu());
        usage.put("kernel", st.cpuKernel());
        usage.put("user", st.cpuUser());
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("usage", usage);
        cpu.put("throttling", Map.of());
        Map<String, Object> memUsage = new LinkedHashMap<>();
        memUsage.put("limit", st.memoryLimit());
        memUsage.put("usage", st.memoryUsage());
        memUsage.put("max", st.memoryMax());
        memUsage.put("failcnt", st.memoryFailcnt());
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("cache", st.memoryRaw().getOrDefault("cache", 0L));
        mem.put("usage", memUsage);
        mem.put("raw", new LinkedHashMap<>(st.memoryRaw()));
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("current", st.pidsCurrent());
        pids.put("limit", st.pidsLimit());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("cpu", cpu);
        data.put("memory", mem);
        data.put("pids", pids);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", "stats");
        root.put("id", id);
        root.put("data", data);
        return Json.compact(root); // one event per line, as runc prints them
    }
}
