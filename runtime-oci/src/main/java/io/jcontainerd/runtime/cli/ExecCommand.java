package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.spec.Process;
import io.jcontainerd.runtime.spec.SpecLoader;
import io.jcontainerd.runtime.spec.User;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "exec", description = "run another process in a running container")
final class ExecCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Option(names = {"-p", "--process"}, description = "process.json (a spec's process object)") String processFile;
    @Option(names = {"-t", "--tty"}) boolean tty;
    @Option(names = "--console-socket") String consoleSocket;
    @Option(names = {"-e", "--env"}) List<String> env = new ArrayList<>();
    @Option(names = "--cwd") String cwd;
    @Option(names = {"-u", "--user"}, description = "uid[:gid]") String user;
    @Option(names = {"-d", "--detach"}) boolean detach;
    @Option(names = "--pid-file") String pidFile;
    @Option(names = "--preserve-fds") int preserveFds;
    @Option(names = "--no-new-privs") boolean noNewPrivs;
    @Parameters(index = "0", paramLabel = "<container-id>") String id;
    @Parameters(index = "1..*", paramLabel = "<command>") List<String> command = new ArrayList<>();

    @Override public Integer call() throws IOException {
        Containers c = main.containers();
        ContainerState s = c.store().load(id);
        Process base = s.config().process();
        Process p;
        if (processFile != null) {
            p = SpecLoader.mapper().readValue(new java.io.File(processFile), Process.class);
        } else {
            if (command.isEmpty()) throw JruncException.invalidArgument("exec: give a command or --process for container %s", id);
            List<String> e = new ArrayList<>(base.env());
            e.addAll(env);
            User u = base.user();
            if (user != null) {
                String[] ug = user.split(":");
                u = new User(Long.parseLong(ug[0]), ug.length > 1 ? Long.parseLong(ug[1]) : 0, u.umask(), List.of());
            }
            p = new Process(tty, null, u, command, e, cwd != null ? cwd : base.cwd(), base.capabilities(), List.of(),
                    noNewPrivs || base.noNewPrivileges(), null, null, null);
        }
        return c.exec(id, p, detach, pidFile, consoleSocket, preserveFds);
    }
}
