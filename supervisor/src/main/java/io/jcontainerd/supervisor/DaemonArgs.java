package io.jcontainerd.supervisor;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The daemon's command line: seven options, read by hand rather than by picocli, whose model, parser and
 * their classes cost every start CPU on the main thread and space in the AOT cache (README "Performance",
 * session 10). Takes what picocli took: {@code --opt value}, {@code --opt=value}, {@code -o value},
 * {@code -o=value} and {@code -ovalue}; an option given twice, an unknown one, a missing value or an
 * argument that is no option is an error naming it.
 *
 * @param config      the configuration file ({@link DaemonConfig#DEFAULT_CONFIG_FILE} unless given)
 * @param configGiven whether {@code --config} was given (a missing default file is no error)
 * @param root        {@code --root}, or null
 * @param state       {@code --state}, or null
 * @param address     {@code --address}, or null
 * @param logLevel    {@code --log-level}, {@code info} unless given
 * @param action      what to do: run the daemon, or print the usage or the version
 */
public record DaemonArgs(Path config, boolean configGiven, Path root, Path state, Path address, String logLevel, Action action) {

    public enum Action { RUN, HELP, VERSION }

    static final String USAGE = """
            Usage: jcontainerd [-hV] [-a=<address>] [-c=<configFile>] [-l=<logLevel>] [--root=<root>] [--state=<state>]
            jcontainerd: a containerd-compatible container supervisor.
              -a, --address=<address>    gRPC unix socket (default <state>/jcontainerd.sock)
              -c, --config=<configFile>  configuration file (default %s)
              -h, --help                 Show this help message and exit.
              -l, --log-level=<logLevel> debug, info, warn or error (default info)
                  --root=<root>          persistent data directory (default /var/lib/jcontainerd)
                  --state=<state>        runtime state directory, which holds the gRPC and Docker sockets unless
                                           configured otherwise (default /run/jcontainerd)
              -V, --version              Print version information and exit.
            """.formatted(DaemonConfig.DEFAULT_CONFIG_FILE);

    /** The option named by {@code word} ({@code --root}, {@code -c}, ...): its long name, or null. */
    private static String longName(String word) {
        return switch (word) {
            case "-c", "--config" -> "--config";
            case "--root" -> "--root";
            case "--state" -> "--state";
            case "-a", "--address" -> "--address";
            case "-l", "--log-level" -> "--log-level";
            case "-h", "--help" -> "--help";
            case "-V", "--version" -> "--version";
            default -> null;
        };
    }

    /** Reads {@code args}; an unusable command line is an invalid-argument error that says what is wrong. */
    public static DaemonArgs parse(List<String> args) {
        Path config = DaemonConfig.DEFAULT_CONFIG_FILE;
        Path root = null;
        Path state = null;
        Path address = null;
        String logLevel = "info";
        Action action = Action.RUN;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String word = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                word = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (arg.length() > 2 && arg.charAt(0) == '-' && arg.charAt(1) != '-') {
                word = arg.substring(0, 2); // -cFILE or -c=FILE
                value = arg.substring(arg.charAt(2) == '=' ? 3 : 2);
            }
            String name = longName(word);
            if (name == null) {
                throw JcdException.invalidArgument(arg.startsWith("-") ? "Unknown option: '%s'" : "Unmatched argument: '%s'", arg);
            }
            if (!seen.add(name)) {
                throw JcdException.invalidArgument("option '%s' should be specified only once", name);
            }
            if (name.equals("--help") || name.equals("--version")) {
                if (value != null) {
                    throw JcdException.invalidArgument("option '%s' takes no value: '%s'", name, arg);
                }
                if (action == Action.RUN) {
                    action = name.equals("--help") ? Action.HELP : Action.VERSION;
                }
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw JcdException.invalidArgument("Missing required parameter for option '%s'", name);
                }
                value = args.get(++i);
                if (longName(value) != null) {
                    throw JcdException.invalidArgument("Expected parameter for option '%s' but found '%s'", name, value);
                }
            }
            switch (name) {
                case "--config" -> config = path(name, value);
                case "--root" -> root = path(name, value);
                case "--state" -> state = path(name, value);
                case "--address" -> address = path(name, value);
                default -> logLevel = value;
            }
        }
        return new DaemonArgs(config, seen.contains("--config"), root, state, address, logLevel, action);
    }

    private static Path path(String option, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw JcdException.invalidArgument("option '%s': '%s' is no path: %s", option, value, e.getReason());
        }
    }
}
