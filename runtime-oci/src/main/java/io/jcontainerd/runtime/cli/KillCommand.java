package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.linux.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "kill", description = "send a signal (default TERM) to the container's init, or with --all to every process")
final class KillCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-a", "--all"}) boolean all;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;
    @Parameters(index = "1", arity = "0..1", paramLabel = "<signal>") String signal = "TERM";

    @Override public Integer call() {
        main.containers().kill(id, Signals.parse(signal), all);
        return 0;
    }
}
