package io.jcontainerd.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "start", description = "start the process of a created container")
final class StartCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        main.containers().start(id);
        return 0;
    }
}
