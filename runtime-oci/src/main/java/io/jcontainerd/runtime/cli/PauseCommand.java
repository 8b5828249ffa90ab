package io.jcontainerd.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "pause", description = "freeze every process of a running container")
final class PauseCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        main.containers().pause(id);
        return 0;
    }
}
