package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.Status;
import io.jcontainerd.runtime.spec.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** list [--format table|json] [--quiet] */
final class ListCommand {
    private ListCommand() {}

    static int run(Main main, List<String> argv) throws Exception {
        Args a = Args.parse("list", argv, Args.spec(Set.of("format"), Set.of("quiet")), Map.of("f", "format", "q", "quiet"), false);
        String format = a.value("format", "table");
        boolean quiet = a.flag("quiet");
        Containers c = main.containers();
        List<Object> arr = new ArrayList<>();
        StringBuilder table = new StringBuilder("%-12s %-8s %-10s %-40s %-30s %s%n".formatted("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"));
        for (ContainerState s : c.store().all()) {
            Status st = c.status(s);
            int pid = st == Status.STOPPED ? 0 : s.pid();
            if (quiet) {
                table.append(s.id()).append('\n');
                continue;
            }
            table.append("%-12s %-8d %-10s %-40s %-30s %s%n".formatted(s.id(), pid, st.json(), s.bundle(), s.created(), "root"));
            Map<String, Object> n = new LinkedHashMap<>();
            arr.add(n);
            n.put("ociVersion", s.ociVersion());
            n.put("id", s.id());
            n.put("pid", (long) pid);
            n.put("status", st.json());
            n.put("bundle", s.bundle());
            n.put("rootfs", s.rootfs());
            n.put("created", s.created());
            n.put("owner", "root");
        }
        if ("json".equals(format)) System.out.println(Json.compact(arr));
        else System.out.print(quiet ? table.substring(table.indexOf("\n") + 1) : table);
        return 0;
    }
}
