package io.jcontainerd.ctr;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.DaemonUnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code jctr}: the debug client, like containerd's ctr. Speaks gRPC only. */
@Command(name = "jctr", mixinStandardHelpOptions = true, versionProvider = Main.ClientVersion.class,
        description = "jctr: the jcontainerd debug client (ctr's commands and output).")
public final class Main {
    public static final String CLIENT_VERSION = "0.1.0";
    // Netty warns that SO_KEEPALIVE does not apply to unix sockets; held so the level sticks.
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    @Option(names = {"-a", "--address"}, defaultValue = "${env:CONTAINERD_ADDRESS:-/run/jcontainerd/jcontainerd.sock}",
            description = "address of the daemon's gRPC socket (env CONTAINERD_ADDRESS, default ${DEFAULT-VALUE})")
    Path address;

    @Option(names = {"-n", "--namespace"}, defaultValue = "${env:CONTAINERD_NAMESPACE:-default}",
            description = "namespace to use (env CONTAINERD_NAMESPACE, default ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--timeout", defaultValue = "0s", converter = GoDuration.class,
            description = "timeout of each call, e.g. 10s (0 = none)")
    Duration timeout;

    @Option(names = "--connect-timeout", defaultValue = "0s", converter = GoDuration.class,
            description = "how long to wait for the daemon's socket to accept, e.g. 2s")
    Duration connectTimeout;

    @Option(names = "--debug", description = "print stack traces of errors")
    boolean debug;

    public static void main(String[] args) {
        // -Djctr.train=true (scripts/train-aot.sh, through bin/jctr's JCD_JAVA_OPTS): each argument is a command line
        System.exit(Boolean.getBoolean("jctr.train") ? AotTraining.train(args) : run(args));
    }

    static int run(String[] args) {
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
        CommandLine cli = new CommandLine(new Main());
        Commands.addFor(cli, args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Main root = cmd.getCommandSpec().root().commandLine().getCommand();
            if (root.debug) {
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
        return Connection.open(address, namespace, timeout, connectTimeout);
    }

    public String namespace() {
        return namespace;
    }

    /** The root command object of any subcommand. */
    public static Main of(CommandLine.Model.CommandSpec spec) {
        return spec.root().commandLine().getCommand();
    }

    static final class ClientVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"jctr " + CLIENT_VERSION};
        }
    }
}
