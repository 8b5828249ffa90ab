package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.PlanBuilder;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** create [--bundle dir] [--pid-file f] [--console-socket s] [--preserve-fds n] [--no-pivot] id */
final class CreateCommand {
    static final Map<String, Boolean> OPTIONS = Args.spec(Set.of("bundle", "pid-file", "console-socket", "preserve-fds"),
            Set.of("no-pivot", "no-new-keyring", "detach"));
    static final Map<String, String> ALIASES = Map.of("b", "bundle", "d", "detach");

    private CreateCommand() {}

    static int run(Main main, List<String> argv) {
        Args a = Args.parse("create", argv, OPTIONS, ALIASES, false);
        create(main, a, "create");
        return 0;
    }

    /** Shared with run: returns the init's pid. */
    static int create(Main main, Args a, String command) {
        return main.containers().create(a.id(command), Path.of(a.value("bundle", ".")),
                new PlanBuilder.CreateOptions(null, a.value("console-socket", null), a.integer("preserve-fds"), a.flag("no-pivot")),
                a.value("pid-file", null));
    }
}
