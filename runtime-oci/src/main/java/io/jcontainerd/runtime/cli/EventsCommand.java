package io.jcontainerd.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.runtime.cgroups.CgroupManager;
import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.Status;
import io.jcontainerd.runtime.spec.SpecLoader;

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
            System.out.println(render(SpecLoader.mapper(), id, c.cgroup(s).stats()));
            System.out.flush();
            if (!stats) Thread.sleep(sleepMs);
        } while (!stats);
        return 0;
    }

    static String render(ObjectMapper m, String id, CgroupManager.Stats st) throws Exception {
        ObjectNode root = m.createObjectNode();
        root.put("type", "stats");
        root.put("id", id);
        ObjectNode data = root.putObject("data");
        ObjectNode cpu = data.putObject("cpu");
        ObjectNode usage = cpu.putObject("usage");
        usage.put("total", st.cpuTotal());
        usage.set("percpu", m.valueToTree(st.perCpu()));
        usage.put("kernel", st.cpuKernel());
        usage.put("user", st.cpuUser());
        cpu.putObject("throttling");
        ObjectNode mem = data.putObject("memory");
        mem.put("cache", st.memoryRaw().getOrDefault("cache", 0L));
        ObjectNode mu = mem.putObject("usage");
        mu.put("limit", st.memoryLimit());
        mu.put("usage", st.memoryUsage());
        mu.put("max", st.memoryMax());
        mu.put("failcnt", st.memoryFailcnt());
        mem.set("raw", m.valueToTree(st.memoryRaw()));
        ObjectNode pids = data.putObject("pids");
        pids.put("current", st.pidsCurrent());
        pids.put("limit", st.pidsLimit());
        return m.writeValueAsString(root);
    }

    private static long parse(String d) {
        if (d.endsWith("ms")) return Long.parseLong(d.substring(0, d.length() - 2));
        if (d.endsWith("s")) return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
        return Long.parseLong(d) * 1000;
    }
}
