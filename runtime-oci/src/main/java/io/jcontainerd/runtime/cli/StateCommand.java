package io.jcontainerd.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "state", description = "print the container's state as JSON (runc's fields)")
final class StateCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        System.out.print(main.containers().state(id)); // no newline, as runc
        return 0;
    }
}
