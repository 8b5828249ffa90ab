package io.jcontainerd.ctr;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.DaemonUnreachableException;
import io.jcontainerd.ctr.client.StartupWarmUp;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code jctr}: the debug client, like containerd's ctr. Speaks gRPC only. The root command's model
 * is built in code ({@link Specs}: no annotation reading on the start path); its global options
 * are read from that model.
 */
public final class Main {
    public static final String CLIENT_VERSION = "0.1.0";

    private final CommandSpec spec;

    Main() {
        spec = CommandSpec.wrapWithoutInspection(this).name("jctr").version("jctr " + CLIENT_VERSION);
        spec.usageMessage().description("jctr: the jcontainerd debug client (ctr's commands and output).");
        spec.addOption(OptionSpec.builder("-a", "--address").paramLabel("<address>").type(Path.class)
                .defaultValue("${env:CONTAINERD_ADDRESS:-/run/jcontainerd/jcontainerd.sock}")
                .description("address of the daemon's gRPC socket (env CONTAINERD_ADDRESS, default ${DEFAULT-VALUE})").build());
        spec.addOption(OptionSpec.builder("-n", "--namespace").paramLabel("<namespace>").type(String.class)
                .defaultValue("${env:CONTAINERD_NAMESPACE:-default}")
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
        System.exit(Boolean.getBoolean("jctr.train") ? AotTraining.train(args) : run(args));
    }

    static int run(String[] args) {
        if (Commands.commandWord(args) != null) { // `jctr --version` and `jctr --help` connect to nothing
            StartupWarmUp.start();
        }
        CommandLine cli = new CommandLine(new Main().spec());
        Commands.addFor(cli, args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Main root = cmd.getCommandSpec().root().commandLine().getCommand();
            if (root.debug()) {
                e.printStackTrace();
            }
            cmd.getErr().println("jctr: " + describe(e));
            return 1;
        });
        return cli.execute(args);
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
        return Connection.open(Specs.value(spec, "--address"), namespace(), Specs.value(spec, "--timeout"),
                Specs.value(spec, "--connect-timeout"));
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
