package io.jcontainerd.supervisor;

import io.jcontainerd.config.ConfigLoader;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.daemon.Daemon;
import io.jcontainerd.supervisor.daemon.DaemonLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code jcontainerd}: the supervisor daemon. Runs until SIGTERM or SIGINT. */
@Command(name = "jcontainerd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "jcontainerd: a containerd-compatible container supervisor.")
public final class Main implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "configuration file (default ${DEFAULT-VALUE})")
    Path configFile = DaemonConfig.DEFAULT_CONFIG_FILE;

    @Option(names = "--root", description = "persistent data directory (default /var/lib/jcontainerd)")
    Path root;

    @Option(names = "--state", description = "runtime state directory (default /run/jcontainerd)")
    Path state;

    @Option(names = {"-a", "--address"}, description = "gRPC unix socket (default <state>/jcontainerd.sock)")
    Path address;

    @Option(names = {"-l", "--log-level"}, description = "debug, info, warn or error (default ${DEFAULT-VALUE})")
    String logLevel = "info";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        DaemonLogging.configure(logLevel);
        Daemon daemon;
        try {
            DaemonConfig config = ConfigLoader.load(configFile, spec.commandLine().getParseResult().hasMatchedOption("--config"));
            if (root != null) {
                config = config.withRoot(root);
            }
            if (state != null) {
                config = config.withState(state).withGrpcAddress(address != null ? address : state.resolve("jcontainerd.sock"));
            }
            if (address != null) {
                config = config.withGrpcAddress(address);
            }
            daemon = Daemon.start(config);
        } catch (JcdException e) {
            System.err.println("jcontainerd: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"jcontainerd " + BuildInfo.OWN_VERSION + " (containerd API " + BuildInfo.API_LEVEL + ")"};
        }
    }
}
