package io.jcontainerd.runtime.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** delete [--force] id */
final class DeleteCommand {
    private DeleteCommand() {}

    static int run(Main main, List<String> argv) {
        Args a = Args.parse("delete", argv, Args.spec(Set.of(), Set.of("force")), Map.of("f", "force"), false);
        main.containers().delete(a.id("delete"), a.flag("force"));
        return 0;
    }
}
