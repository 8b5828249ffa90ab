package io.jcontainerd.runtime.cli;

import java.util.List;
import java.util.Map;

/** state id: runc's JSON, without a trailing newline like runc. */
final class StateCommand {
    private StateCommand() {}

    static int run(Main main, List<String> argv) {
        System.out.print(main.containers().state(Args.parse("state", argv, Map.of(), Map.of(), false).id("state")));
        return 0;
    }
}
