package io.jcontainerd.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "resume", description = "thaw a paused container")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        main.containers().resume(id);
        return 0;
    }
}
