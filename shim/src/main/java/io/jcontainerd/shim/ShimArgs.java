package io.jcontainerd.shim;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shim's command line:
 * {@code [--namespace NS --id ID --bundle DIR] --address DAEMON_SOCKET --socket SHIM_SOCKET
 * [--runtime BINARY] [--runtime-root DIR] [--runtime-in-process true|false]}. Without a task (no
 * --namespace, --id, --bundle) the shim starts idle, as the supervisor's spare, and learns each
 * task's namespace and bundle from its Create.
 *
 * @param task             the task named on the command line; null when the shim starts idle (see {@link #firstTask})
 * @param runtimeRoot      the runtime's state root for every task; null: {@code /run/jrunc/<the task's namespace>}
 * @param runtimeInProcess run the installation's own jrunc inside the shim (default) rather than as a
 *                         process per operation; other runtimes always run as their binary
 */
public record ShimArgs(FirstTask task, Path daemonAddress, Path socket, Path runtime, Path runtimeRoot, boolean runtimeInProcess) {

    /** The task a shim is started for, which also binds the shim to that task's namespace. */
    public record FirstTask(String namespace, String id, Path bundle) {
    }

    public static final String USAGE = "usage: jcontainerd-shim [--namespace NS --id ID --bundle DIR] --address DAEMON_SOCKET "
            + "--socket SHIM_SOCKET [--runtime BINARY] [--runtime-root DIR] [--runtime-in-process true|false]";
    private static final List<String> FLAGS = List.of("--namespace", "--id", "--bundle", "--address", "--socket",
            "--runtime", "--runtime-root", "--runtime-in-process");
    private static final List<String> TASK_FLAGS = List.of("--namespace", "--id", "--bundle");

    /**
     * @param home the jcontainerd installation (where {@code bin/jrunc} lives), or null
     */
    public static ShimArgs parse(String[] args, Path home) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (!FLAGS.contains(flag)) {
                throw JcdException.invalidArgument("unknown argument %s; %s", args[i], USAGE);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw JcdException.invalidArgument("%s needs a value; %s", flag, USAGE);
                }
                value = args[++i];
            }
            values.put(flag, value);
        }
        FirstTask task = null;
        if (TASK_FLAGS.stream().anyMatch(values::containsKey)) {
            for (String flag : TASK_FLAGS) {
                if (!values.containsKey(flag)) {
                    throw JcdException.invalidArgument("%s is required with %s (give all three, or none to start idle); %s",
                            flag, String.join(", ", TASK_FLAGS.stream().filter(values::containsKey).toList()), USAGE);
                }
            }
            task = new FirstTask(Identifiers.validate("namespace", required(values, "--namespace")),
                    Identifiers.validate("container id", required(values, "--id")), absolute(values, "--bundle"));
        }
        Path runtime = values.containsKey("--runtime") ? Path.of(values.get("--runtime")) : defaultRuntime(home);
        Path runtimeRoot = values.containsKey("--runtime-root") ? Path.of(values.get("--runtime-root")) : null;
        boolean inProcess = switch (values.getOrDefault("--runtime-in-process", "true")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw JcdException.invalidArgument("--runtime-in-process %s: say true or false; %s",
                    values.get("--runtime-in-process"), USAGE);
        };
        return new ShimArgs(task, absolute(values, "--address"), absolute(values, "--socket"), runtime, runtimeRoot, inProcess);
    }

    /** The task named on the command line, if any. */
    public Optional<FirstTask> firstTask() {
        return Optional.ofNullable(task);
    }

    /** The runtime's state root for the tasks of {@code namespace}. */
    public Path runtimeRoot(String namespace) {
        return runtimeRoot != null ? runtimeRoot : Path.of("/run/jrunc", namespace);
    }

    /** Names the shim in its error output: its first task, or its socket when it started idle. */
    public String name() {
        return task != null ? task.namespace() + "/" + task.id() : socket.getFileName().toString();
    }

    /** {@code <home>/bin/jrunc} once it exists, else runc from Debian. */
    static Path defaultRuntime(Path home) {
        if (home != null) {
            Path jrunc = home.resolve("bin/jrunc");
            if (Files.isExecutable(jrunc)) {
                return jrunc;
            }
        }
        return Path.of("/usr/sbin/runc");
    }

    private static String required(Map<String, String> values, String flag) {
        String value = values.get(flag);
        if (value == null || value.isEmpty()) {
            throw JcdException.invalidArgument("%s is required; %s", flag, USAGE);
        }
        return value;
    }

    private static Path absolute(Map<String, String> values, String flag) {
        Path path = Path.of(required(values, flag));
        if (!path.isAbsolute()) {
            throw JcdException.invalidArgument("%s %s must be an absolute path", flag, path);
        }
        return path;
    }
}
