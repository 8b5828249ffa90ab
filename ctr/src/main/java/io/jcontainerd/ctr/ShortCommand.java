package io.jcontainerd.ctr;

import io.jcontainerd.config.GoDurations;
import io.jcontainerd.ctr.commands.NamespacesCommand;
import io.jcontainerd.ctr.commands.VersionCommand;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code jctr version}, {@code jctr --version} and {@code jctr namespaces ls [-q]}, the commands users
 * time, run without picocli when their command line is one of the plain forms: each global option
 * at most once, as {@code -a VALUE}, {@code --address VALUE} or {@code --address=VALUE}, then the
 * command (or {@code --version}) and nothing else. Building picocli's model, its converters and its interpolator cost about
 * a fifth of a {@code jctr version} (README "Performance", session 10). Any other line, a malformed
 * one included, is left to picocli ({@link #parse} answers null), so help, usage and every error
 * message stay picocli's; what these forms print, and their exit codes, are the same either way.
 */
record ShortCommand(Kind kind, GlobalOptions globals, boolean quiet) {
    enum Kind { VERSION_FLAG, VERSION, NAMESPACES_LS }

    private static final Set<String> ADDRESS = Set.of("-a", "--address");
    private static final Set<String> NAMESPACE = Set.of("-n", "--namespace");
    /** The words picocli could take as a command: an option value equal to one is picocli's to judge. */
    private static final Set<String> COMMAND_WORDS = Set.of("version", "namespaces", "namespace", "ns");

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
        if (kind == null) {
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
            return new ShortCommand(kind, globals, quiet);
        } catch (IllegalArgumentException e) { // a bad path or duration: picocli names the option in its error
            return null;
        }
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
        if ((rest == 2 || rest == 3) && COMMAND_WORDS.contains(args[at]) && !args[at].equals("version")
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
