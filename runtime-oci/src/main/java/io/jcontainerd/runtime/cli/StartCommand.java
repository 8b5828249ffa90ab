package io.jcontainerd.runtime.cli;

import java.util.List;
import java.util.Map;

/** start id */
final class StartCommand {
    private StartCommand() {}

    static int run(Main main, List<String> argv) {
        main.containers().start(Args.parse("start", argv, Map.of(), Map.of(), false).id("start"));
        return 0;
    }
}
