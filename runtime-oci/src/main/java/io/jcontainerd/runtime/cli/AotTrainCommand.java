package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * __aot-train --bundle dir id: the training run of jrunc's AOT cache (bin/jrunc-aot-train). A cache
 * holds what one JVM loaded, and containerd's shim runs create, state, start, kill and delete as
 * separate commands: this JVM goes through each of them as the command line would, then `run`,
 * so that none of them loads and verifies its classes from the jar at every start.
 */
final class AotTrainCommand {
    private AotTrainCommand() {}

    static int run(Main main, List<String> argv) throws Exception {
        Args a = Args.parse("__aot-train", argv, Args.spec(Set.of("bundle"), Set.of()), Map.of("b", "bundle"), false);
        String bundle = a.value("bundle", "."), id = a.id("__aot-train");
        Path pidFile = main.root.resolve(id + ".pid");
        call(main, "create", "--bundle", bundle, "--pid-file", pidFile.toString(), id + "-a");
        call(main, "state", id + "-a");
        call(main, "start", id + "-a");
        awaitStopped(main, id + "-a");
        call(main, "delete", id + "-a");
        call(main, "create", "--bundle", bundle, id + "-k");
        call(main, "kill", id + "-k", "KILL");
        awaitStopped(main, id + "-k");
        call(main, "delete", "--force", id + "-k");
        call(main, "list", "--format", "json");
        call(main, "run", "--bundle", bundle, id + "-r");
        return 0;
    }

    private static void call(Main main, String... argv) throws Exception {
        int rc = main.dispatch(List.of(argv));
        if (rc != 0) throw JruncException.system("AOT training: %s exited with %d", String.join(" ", argv), rc);
    }

    private static void awaitStopped(Main main, String id) throws InterruptedException {
        for (int i = 0; i < 1000 && !main.containers().state(id).contains("\"stopped\""); i++) Thread.sleep(5);
    }
}
