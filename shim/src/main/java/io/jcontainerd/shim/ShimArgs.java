package io.jcontainerd.shim;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shim's command line:
 * {@code --namespace NS --id ID --bundle DIR --address DAEMON_SOCKET --socket SHIM_SOCKET
 * [--runtime BINARY] [--runtime-root DIR] [--runtime-in-process true|false]}.
 *
 * @param runtimeInProcess run the installation's own jrunc inside the shim (default) rather than as a
 *                         process per operation; other runtimes always run as their binary
 */
public record ShimArgs(String namespace, String id, Path bundle, Path daemonAddress, Path socket,
                       Path runtime, Path runtimeRoot, boolean runtimeInProcess) {

    public static final String USAGE = "usage: jcontainerd-shim --namespace NS --id ID --bundle DIR --address DAEMON_SOCKET "
            + "--socket SHIM_SOCKET [--runtime BINARY] [--runtime-root DIR] [--runtime-in-process true|false]";
    private static final List<String> FLAGS = List.of("--namespace", "--id", "--bundle", "--address", "--socket",
            "--runtime", "--runtime-root", "--runtime-in-process");

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
        String namespace = Identifiers.validate("namespace", required(values, "--namespace"));
        String id = Identifiers.validate("container id", required(values, "--id"));
        Path bundle = absolute(values, "--bundle");
        Path runtime = values.containsKey("--runtime") ? Path.of(values.get("--runtime")) : defaultRuntime(home);
        Path runtimeRoot = values.containsKey("--runtime-root") ? Path.of(values.get("--runtime-root")) : Path.of("/run/jrunc", namespace);
        boolean inProcess = switch (values.getOrDefault("--runtime-in-process", "true")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw JcdException.invalidArgument("--runtime-in-process %s: say true or false; %s",
                    values.get("--runtime-in-process"), USAGE);
        };
        return new ShimArgs(namespace, id, bundle, absolute(values, "--address"), absolute(values, "--socket"), runtime, runtimeRoot,
                inProcess);
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
