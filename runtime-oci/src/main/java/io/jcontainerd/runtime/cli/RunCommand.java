package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.PlanBuilder;
import io.jcontainerd.runtime.linux.LibC;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", description = "create and start a container; without -d wait for it and return its exit status")
final class RunCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-b", "--bundle"}) Path bundle = Path.of(".");
    @Option(names = "--pid-file") String pidFile;
    @Option(names = "--console-socket") String consoleSocket;
    @Option(names = "--preserve-fds") int preserveFds;
    @Option(names = "--no-pivot") boolean noPivot;
    @Option(names = "--no-new-keyring") boolean noNewKeyring;
    @Option(names = {"-d", "--detach"}) boolean detach;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        Containers c = main.containers();
        int pid = c.create(id, bundle, new PlanBuilder.CreateOptions(null, consoleSocket, preserveFds, noPivot), pidFile);
        try {
            c.start(id);
        } catch (RuntimeException e) {
            c.delete(id, true);
            throw e;
        }
        if (detach) return 0;
        forwardSignals(pid);
        int status = Containers.waitExit(pid);
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
