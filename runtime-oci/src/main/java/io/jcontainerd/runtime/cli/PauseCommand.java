package io.jcontainerd.runtime.cli;

import java.util.List;
import java.util.Map;

/** pause id / resume id */
final class PauseCommand {
    private PauseCommand() {}

    static int run(Main main, List<String> argv, boolean pause) {
        String verb = pause ? "pause" : "resume";
        String id = Args.parse(verb, argv, Map.of(), Map.of(), false).id(verb);
        if (pause) main.containers().pause(id);
        else main.containers().resume(id);
        return 0;
    }
}
