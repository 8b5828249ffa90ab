package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.container.ContainerState;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.spec.Process;
import io.jcontainerd.runtime.spec.Json;
import io.jcontainerd.runtime.spec.SpecJson;
import io.jcontainerd.runtime.spec.User;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** exec [options] id command...: another process in a running container. */
final class ExecCommand {
    private ExecCommand() {}

    static int run(Main main, List<String> argv) throws IOException {
        Args a = Args.parse("exec", argv, Args.spec(Set.of("process", "console-socket", "env", "cwd", "user", "pid-file", "preserve-fds",
                        "process-label", "apparmor", "cap"), Set.of("tty", "detach", "no-new-privs")),
                Map.of("p", "process", "t", "tty", "e", "env", "u", "user", "d", "detach"), true);
        String id = a.id("exec");
        String processFile = a.value("process", null);
        List<String> command = a.positional().subList(1, a.positional().size());
        List<String> env = a.all("env");
        String user = a.value("user", null), cwd = a.value("cwd", null);
        boolean tty = a.flag("tty"), noNewPrivs = a.flag("no-new-privs");
        Containers c = main.containers();
        ContainerState s = c.store().load(id);
        Process base = s.config().process();
        Process p;
        if (processFile != null) {
            p = SpecJson.process(Json.parse(java.nio.file.Files.readString(java.nio.file.Path.of(processFile))));
        } else {
            if (command.isEmpty()) throw JruncException.invalidArgument("exec: give a command or --process for container %s", id);
            List<String> e = new ArrayList<>(base.env());
            e.addAll(env);
            User u = base.user();
            if (user != null) {
                String[] ug = user.split(":");
                u = new User(Long.parseLong(ug[0]), ug.length > 1 ? Long.parseLong(ug[1]) : 0, u.umask(), List.of());
            }
            // like runc: the container's AppArmor profile and SELinux label unless --apparmor / --process-label
            p = new Process(tty, null, u, command, e, cwd != null ? cwd : base.cwd(), base.capabilities(), List.of(),
                    noNewPrivs || base.noNewPrivileges(), a.value("apparmor", base.apparmorProfile()), null,
                    a.value("process-label", base.selinuxLabel()));
        }
        return c.exec(id, p, a.flag("detach"), a.value("pid-file", null), a.value("console-socket", null), a.integer("preserve-fds"));
    }
}
