package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.PlanBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "create", description = "create a container; its process waits until `start`")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-b", "--bundle"}, description = "path to the bundle (default: current directory)") Path bundle = Path.of(".");
    @Option(names = "--pid-file") String pidFile;
    @Option(names = "--console-socket") String consoleSocket;
    @Option(names = "--preserve-fds") int preserveFds;
    @Option(names = "--no-pivot") boolean noPivot;
    @Option(names = "--no-new-keyring", description = "accepted; jrunc does not create session keyrings") boolean noNewKeyring;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() {
        main.containers().create(id, bundle, new PlanBuilder.CreateOptions(null, consoleSocket, preserveFds, noPivot), pidFile);
        return 0;
    }
}
