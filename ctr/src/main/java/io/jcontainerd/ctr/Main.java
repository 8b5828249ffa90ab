package io.jcontainerd.ctr;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.DaemonUnreachableException;
import io.jcontainerd.ctr.client.StartupWarmUp;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code jctr}: the debug client, like containerd's ctr. Speaks gRPC only. The root command's model
 * is built in code ({@link Specs}: no annotation reading on the start path); its global options
 * are read from that model. The commands users time run without picocli in their plain forms
 * ({@link ShortCommand}).
 */
public final class Main {
    public static final String CLIENT_VERSION = "0.1.0";

    private final CommandSpec spec;

    Main() {
        spec = CommandSpec.wrapWithoutInspection(this).name("jctr").version("jctr " + CLIENT_VERSION);
        spec.usageMessage().description("jctr: the jcontainerd debug client (ctr's commands and output).");
        spec.addOption(OptionSpec.builder("-a", "--address").paramLabel("<address>").type(Path.class)
                .defaultValue("${env:" + GlobalOptions.ADDRESS_ENV + ":-" + GlobalOptions.DEFAULT_ADDRESS + "}")
                .description("address of the daemon's gRPC socket (env CONTAINERD_ADDRESS, default ${DEFAULT-VALUE})").build());
        spec.addOption(OptionSpec.builder("-n", "--namespace").paramLabel("<namespace>").type(String.class)
                .defaultValue("${env:" + GlobalOptions.NAMESPACE_ENV + ":-" + GlobalOptions.DEFAULT_NAMESPACE + "}")
                .description("namespace to use (env CONTAINERD_NAMESPACE, default ${DEFAULT-VALUE})").build());
        spec.addOption(OptionSpec.builder("--timeout").paramLabel("<timeout>").type(Duration.class)
                .converters(new GoDuration()).defaultValue("0s")
                .description("timeout of each call, e.g. 10s (0 = none)").build());
        spec.addOption(OptionSpec.builder("--connect-timeout").paramLabel("<connectTimeout>").type(Duration.class)
                .converters(new GoDuration()).defaultValue("0s")
                .description("how long to wait for the daemon's socket to accept, e.g. 2s").build());
        spec.addOption(Specs.flag("print stack traces of errors", "--debug"));
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    CommandSpec spec() {
        return spec;
    }

    public static void main(String[] args) {
        // -Djctr.train=true (scripts/train-aot.sh, through bin/jctr's JCD_JAVA_OPTS): each argument is a command line
        if (Boolean.getBoolean("jctr.train")) {
            System.exit(AotTraining.train(args));
        }
        ShortCommand plain = ShortCommand.parse(args, System.getenv());
        int exit = run(args, plain);
        if (plain == null) {
            System.exit(exit);
        }
        // System.exit logs through System.Logger (JDK 21's Runtime.exit logging), whose start-up looks its backend up
        // on the class path, reading the jar (README "Performance", sessions 12 and 13). A short command registers no
        // shutdown hook (only a terminal does, which no plain form takes) and has flushed what it printed: one that
        // succeeded with only daemon threads left ends by returning, with status 0; any other ends by halting with
        // its status (a run's: the task's), after the same flush System.exit's hooks would not have done anyway.
        if (exit == 0 && plain.endsByReturning()) {
            return;
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exit);
    }

    static int run(String[] args) {
        return run(args, ShortCommand.parse(args, System.getenv()));
    }

    private static int run(String[] args, ShortCommand plain) {
        if (plain != null) {
            if (plain.connects()) {
                StartupWarmUp.startWithoutMessages();
            }
            return plain.run(ShortCommand.writer(System.out, "sun.stdout.encoding"),
                    ShortCommand.writer(System.err, "sun.stderr.encoding"));
        }
        if (Commands.commandWord(args) != null) { // `jctr --version` and `jctr --help` connect to nothing
            StartupWarmUp.start();
        }
        return picocli(args).execute(args);
    }

    /** The picocli command line for {@code args}: the root, the command they name, jctr's error handler. */
    static CommandLine picocli(String[] args) {
        CommandLine cli = new CommandLine(new Main().spec());
        Commands.addFor(cli, args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Main root = cmd.getCommandSpec().root().commandLine().getCommand();
            return report(e, root.debug(), cmd.getErr());
        });
        return cli;
    }

    /** A command's failure as the user sees it: the stack trace with --debug, then one line; exit code 1. */
    static int report(Exception e, boolean debug, PrintWriter err) {
        if (debug) {
            e.printStackTrace();
        }
        err.println("jctr: " + describe(e));
        return 1;
    }

    /** A failure as one line: the daemon's own message for gRPC errors. */
    static String describe(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            String d = s.getStatus().getDescription();
            return switch (s.getStatus().getCode()) {
                case UNAVAILABLE -> "jcontainerd is unavailable: " + (d == null ? s.getMessage() : d);
                case DEADLINE_EXCEEDED -> "timed out waiting for jcontainerd (raise --timeout)";
                default -> d == null ? s.getStatus().getCode().name().toLowerCase() : d;
            };
        }
        if (e instanceof DaemonUnreachableException) {
            return e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Opens a connection with the global options; commands close it. */
    public Connection connect() {
        return globals().connect();
    }

    GlobalOptions globals() {
        return new GlobalOptions(Specs.value(spec, "--address"), namespace(), Specs.value(spec, "--timeout"),
                Specs.value(spec, "--connect-timeout"), debug());
    }

    public String namespace() {
        return Specs.value(spec, "--namespace");
    }

    boolean debug() {
        return Specs.isSet(spec, "--debug");
    }

    /** The root command object of any subcommand. */
    public static Main of(CommandSpec spec) {
        return spec.root().commandLine().getCommand();
    }
}
