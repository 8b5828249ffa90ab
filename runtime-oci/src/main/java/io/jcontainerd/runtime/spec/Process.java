package io.jcontainerd.runtime.spec;


import java.util.List;

/** process: what runs in the container and with which credentials and limits. */
public record Process(boolean terminal, ConsoleSize consoleSize, User user, List<String> args, List<String> env,
                      String cwd, Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges,
                      String apparmorProfile, Integer oomScoreAdj, String selinuxLabel) {
    public Process {
        user = user == null ? new User(0, 0, null, List.of()) : user;
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
        capabilities = capabilities == null ? Capabilities.NONE : capabilities;
    }

    public record ConsoleSize(int height, int width) {}
}
