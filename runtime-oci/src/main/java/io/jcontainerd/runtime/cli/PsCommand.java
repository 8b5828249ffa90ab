package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ps", description = "list the processes of a container (host pids)")
final class PsCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-f", "--format"}) String format = "table";
    @Parameters(index = "0", paramLabel = "<container-id>") String id;

    @Override public Integer call() throws Exception {
        Containers c = main.containers();
        ContainerState s = c.store().load(id);
        List<Integer> pids = c.cgroup(s).pids();
        if ("json".equals(format)) {
            System.out.println(SpecLoader.mapper().writeValueAsString(pids));
            return 0;
        }
        System.out.println("PID   CMD");
        for (int pid : pids) {
            String cmd;
            try {
                cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
            } catch (java.io.IOException e) {
                cmd = "?";
            }
            System.out.printf("%-5d %s%n", pid, cmd);
        }
        return 0;
    }
}
