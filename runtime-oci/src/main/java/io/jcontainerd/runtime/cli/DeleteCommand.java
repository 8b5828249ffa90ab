package io.jcontainerd.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "delete", description = "delete a stopped (or, with --force, any) container")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-f", "--force"}) boolean force;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        main.containers().delete(id, force);
        return 0;
    }
}
