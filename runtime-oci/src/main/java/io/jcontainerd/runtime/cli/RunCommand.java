package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.linux.LibC;

import java.util.List;

/** run [create options] [-d] id: create + start; without -d wait and exit with the container's status. */
final class RunCommand {
    private RunCommand() {}

    static int run(Main main, List<String> argv) {
        Args a = Args.parse("run", argv, CreateCommand.OPTIONS, CreateCommand.ALIASES, false);
        String id = a.id("run");
        Containers c = main.containers();
        int pid = CreateCommand.create(main, a, "run");
        try {
            c.start(id);
        } catch (RuntimeException e) {
            c.delete(id, true);
            throw e;
        }
        if (a.flag("detach")) return 0;
        forwardSignals(pid);
        int status = c.waitExit(pid);
        c.delete(id, true);
        return status;
    }

    /** Like runc, signals sent to `jrunc run` go to the container's process. */
    @SuppressWarnings("restriction")
    private static void forwardSignals(int pid) {
        for (String name : List.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH")) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.Signal.handle(sig, s -> LibC.INSTANCE.kill(pid, s.getNumber()));
            } catch (IllegalArgumentException ignored) {
                // the JVM reserves some signals (QUIT with its attach listener); those are not forwarded
            }
        }
    }
}
