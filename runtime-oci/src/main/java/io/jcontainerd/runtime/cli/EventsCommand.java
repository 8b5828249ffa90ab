package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.Status;
import io.jcontainerd.runtime.spec.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** events [--stats] [--interval 5s] id: runc's stats events as JSON lines. */
final class EventsCommand {
    private EventsCommand() {}

    static int run(Main main, List<String> argv) throws Exception {
        Args a = Args.parse("events", argv, Args.spec(Set.of("interval"), Set.of("stats")), Map.of(), false);
        String id = a.id("events");
        boolean stats = a.flag("stats");
        String interval = a.value("interval", "5s");
        Containers c = main.containers();
        ContainerState s = c.store().load(id);
        long sleepMs = parse(interval);
        do {
            if (c.status(s) == Status.STOPPED) {
                if (stats) throw io.jcontainerd.runtime.JruncException.failedPrecondition("container %s is not running", id);
                return 0;
            }
            System.out.println(render(id, c.cgroup(s).stats()));
            System.out.flush();
            if (!stats) Thread.sleep(sleepMs);
        } while (!stats);
        return 0;
    }

    static String render(String id, CgroupManager.Stats st) {
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

    private static long parse(String d) {
        if (d.endsWith("ms")) return Long.parseLong(d.substring(0, d.length() - 2));
        if (d.endsWith("s")) return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
        return Long.parseLong(d) * 1000;
    }
}
