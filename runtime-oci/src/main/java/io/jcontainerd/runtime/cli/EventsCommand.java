package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.StatsEvent;
import io.jcontainerd.runtime.container.Status;

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
            System.out.println(StatsEvent.json(id, c.cgroup(s).stats()));
            System.out.flush();
            if (!stats) Thread.sleep(sleepMs);
        } while (!stats);
        return 0;
    }

    private static long parse(String d) {
        if (d.endsWith("ms")) return Long.parseLong(d.substring(0, d.length() - 2));
        if (d.endsWith("s")) return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
        return Long.parseLong(d) * 1000;
    }
}
