package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.spec.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** ps [--format table|json] id: the container's processes (host pids). */
final class PsCommand {
    private PsCommand() {}

    static int run(Main main, List<String> argv) throws Exception {
        Args a = Args.parse("ps", argv, Args.spec(Set.of("format"), Set.of()), Map.of("f", "format"), true);
        String format = a.value("format", "table");
        String id = a.id("ps");
        Containers c = main.containers();
        List<Integer> pids = c.pids(id);
        if ("json".equals(format)) {
            System.out.println(Json.compact(pids.stream().map(Long::valueOf).toList()));
            return 0;
        }
        System.out.println("PID   CMD");
        for (int pid : pids) {
            String cmd;
            try {
                cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
            } catch (java.io.IOException e) {
                cmd = "?";
            }
            System.out.printf("%-5d %s%n", pid, cmd);
        }
        return 0;
    }
}
