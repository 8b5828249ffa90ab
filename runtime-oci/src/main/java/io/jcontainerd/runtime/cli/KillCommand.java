package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.linux.Signals;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** kill [--all] id [signal] */
final class KillCommand {
    private KillCommand() {}

    static int run(Main main, List<String> argv) {
        Args a = Args.parse("kill", argv, Args.spec(Set.of(), Set.of("all")), Map.of("a", "all"), false);
        String signal = a.positional().size() > 1 ? a.positional().get(1) : "TERM";
        main.containers().kill(a.id("kill"), Signals.parse(signal), a.flag("all"));
        return 0;
    }
}
