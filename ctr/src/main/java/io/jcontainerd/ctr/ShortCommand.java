package io.jcontainerd.ctr;

import io.jcontainerd.config.GoDurations;
import io.jcontainerd.ctr.commands.NamespacesCommand;
import io.jcontainerd.ctr.commands.VersionCommand;
import io.jcontainerd.ctr.run.ContainerRun;
import io.jcontainerd.ctr.run.RunRequest;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jctr version}, {@code jctr --version}, {@code jctr namespaces ls [-q]} and
 * {@code jctr run [--rm | -d] IMAGE ID [COMMAND [ARG...]]}, the commands users time, run without picocli when
 * their command line is one of the plain forms: each global option at most once, as {@code -a VALUE},
 * {@code --address VALUE} or {@code --address=VALUE}, then the command (or {@code --version}) and nothing else. Building picocli's model, its converters and its interpolator cost about
 * a fifth of a {@code jctr version} (README "Performance", session 10). Any other line, a malformed
 * one included, is left to picocli ({@link #parse} answers null), so help, usage and every error
 * message stay picocli's; what these forms print, and their exit codes, are the same either way.
 */
record ShortCommand(Kind kind, GlobalOptions globals, boolean quiet, RunRequest run) {
    enum Kind { VERSION_FLAG, VERSION, NAMESPACES_LS, RUN }

    private static final Set<String> ADDRESS = Set.of("-a", "--address");
    private static final Set<String> NAMESPACE = Set.of("-n", "--namespace");
    /** The words picocli could take as a command: an option value equal to one is picocli's to judge. */
    private static final Set<String> NAMESPACES = Set.of("namespaces", "namespace", "ns");
    private static final Set<String> COMMAND_WORDS = Set.of("version", "namespaces", "namespace", "ns", "run");

    /** The short command of {@code args}, or null when picocli is to parse them. {@code env} gives the defaults. */
    static ShortCommand parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        boolean debug = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            String arg = args[i];
            if (isVersionFlag(arg)) {
                break;
            }
            if (arg.equals("--debug")) {
                if (debug) {
                    return null;
                }
                debug = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = canonical(eq > 2 && arg.startsWith("--") ? arg.substring(0, eq) : arg);
            if (name == null) {
                return null;
            }
            String value;
            if (eq > 2 && arg.startsWith("--")) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            if (value.startsWith("-") || value.startsWith("@") || COMMAND_WORDS.contains(value)
                    || values.putIfAbsent(name, value) != null) {
                return null;
            }
        }
        Kind kind = kind(args, i);
        RunRequest run = kind == Kind.RUN ? plainRun(args, i + 1, env) : null;
        if (kind == null || (kind == Kind.RUN && run == null)) {
            return null;
        }
        boolean quiet = kind == Kind.NAMESPACES_LS && i + 2 < args.length;
        try {
            GlobalOptions globals = new GlobalOptions(
                    Path.of(values.getOrDefault("--address", env.getOrDefault(GlobalOptions.ADDRESS_ENV, GlobalOptions.DEFAULT_ADDRESS))),
                    values.getOrDefault("--namespace", env.getOrDefault(GlobalOptions.NAMESPACE_ENV, GlobalOptions.DEFAULT_NAMESPACE)),
                    GoDurations.parse(values.getOrDefault("--timeout", "0s")),
                    GoDurations.parse(values.getOrDefault("--connect-timeout", "0s")),
                    debug);
            return new ShortCommand(kind, globals, quiet, run);
        } catch (IllegalArgumentException e) { // a bad path or duration: picocli names the option in its error
            return null;
        }
    }

    /**
     * {@code run [--rm | -d | --detach] IMAGE ID [COMMAND [ARG...]]} from {@code at} (after the word {@code run}),
     * each flag at most once and not {@code --rm} with {@code -d}; null for any other form. As in picocli's
     * model of run, whatever follows IMAGE is the container's, dashes included; a word picocli could read as
     * an {@code @file} or an end of options ({@code --}) leaves the line to picocli.
     */
    private static RunRequest plainRun(String[] args, int at, Map<String, String> env) {
        boolean rm = false;
        boolean detach = false;
        int i = at;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            switch (args[i]) {
                case "--rm" -> {
                    if (rm) {
                        return null;
                    }
                    rm = true;
                }
                case "-d", "--detach" -> {
                    if (detach) {
                        return null;
                    }
                    detach = true;
                }
                default -> {
                    return null;
                }
            }
        }
        if ((rm && detach) || args.length - i < 2 || args[i + 1].startsWith("-")) {
            return null;
        }
        for (int j = i; j < args.length; j++) {
            if (args[j].startsWith("@") || args[j].equals("--")) {
                return null;
            }
        }
        List<String> rest = List.of(args).subList(i, args.length);
        return RunRequest.plain(rest.get(0), rest.get(1), rest.subList(2, rest.size()), detach, rm, env);
    }

    /** The option's long name, null for one a short command does not take. */
    private static String canonical(String option) {
        if (ADDRESS.contains(option)) {
            return "--address";
        }
        if (NAMESPACE.contains(option)) {
            return "--namespace";
        }
        return option.equals("--timeout") || option.equals("--connect-timeout") ? option : null;
    }

    private static boolean isVersionFlag(String arg) {
        return arg.equals("--version") || arg.equals("-V");
    }

    private static Kind kind(String[] args, int at) {
        int rest = args.length - at;
        if (rest == 1 && isVersionFlag(args[at])) {
            return Kind.VERSION_FLAG;
        }
        if (rest == 1 && args[at].equals("version")) {
            return Kind.VERSION;
        }
        if (rest >= 1 && args[at].equals("run")) {
            return Kind.RUN;
        }
        if ((rest == 2 || rest == 3) && NAMESPACES.contains(args[at])
                && (args[at + 1].equals("ls") || args[at + 1].equals("list"))
                && (rest == 2 || args[at + 2].equals("-q") || args[at + 2].equals("--quiet"))) {
            return Kind.NAMESPACES_LS;
        }
        return null;
    }

    /** Whether the command talks to the daemon ({@code --version} does not). */
    boolean connects() {
        return kind != Kind.VERSION_FLAG;
    }

    /**
     * Whether the JVM may end by returning from main after the command succeeded: it started no thread but daemon
     * ones (the warm-up, the connection's reader). Run's stdio copiers and process reaper are not so known.
     */
    boolean endsByReturning() {
        return kind != Kind.RUN;
    }

    /** Runs the command, printing as picocli's handlers would; the exit code. */
    int run(PrintWriter out, PrintWriter err) {
        try {
            switch (kind) {
                case VERSION_FLAG -> out.println("jctr " + Main.CLIENT_VERSION);
                case VERSION -> VersionCommand.print(out, globals::connect);
                case NAMESPACES_LS -> {
                    try (var conn = globals.connect()) {
                        NamespacesCommand.list(out, conn, quiet);
                    }
                }
                case RUN -> {
                    return ContainerRun.run(run, globals.namespace(), globals::connect, err);
                }
            }
            return 0;
        } catch (Exception e) {
            return Main.report(e, globals.debug(), err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A writer as picocli makes for its out and err: the JVM's stdout/stderr encoding, flushed on each line. */
    static PrintWriter writer(OutputStream stream, String encodingProperty) {
        String encoding = System.getProperty(encodingProperty);
        Charset charset = encoding == null ? Charset.defaultCharset()
                : Charset.forName(encoding.equalsIgnoreCase("cp65001") ? "UTF-8" : encoding, Charset.defaultCharset());
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }
}
