package io.jcontainerd.supervisor;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import io.jcontainerd.config.ConfigLoader;
import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.daemon.Daemon;
import io.jcontainerd.supervisor.daemon.DaemonLogging;
import io.jcontainerd.supervisor.daemon.StartTimeline;
import io.jcontainerd.supervisor.daemon.StartWarmUp;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code jcontainerd}: the supervisor daemon. Runs until SIGTERM or SIGINT. The command's model is
 * built in code: picocli's annotations would cost every start a few dynamic proxy classes generated
 * at run time (README, "Performance").
 */
public final class Main implements Callable<Integer> {
    private static StartTimeline TIMELINE;
    private final CommandSpec spec;

    private Main() {
        spec = CommandSpec.wrapWithoutInspection(this).name("jcontainerd")
                .version("jcontainerd " + BuildInfo.OWN_VERSION + " (containerd API " + BuildInfo.API_LEVEL + ")");
        spec.usageMessage().description("jcontainerd: a containerd-compatible container supervisor.");
        spec.addOption(OptionSpec.builder("-c", "--config").paramLabel("<configFile>").type(Path.class)
                .defaultValue(DaemonConfig.DEFAULT_CONFIG_FILE.toString())
                .description("configuration file (default ${DEFAULT-VALUE})").build());
        spec.addOption(OptionSpec.builder("--root").paramLabel("<root>").type(Path.class)
                .description("persistent data directory (default /var/lib/jcontainerd)").build());
        spec.addOption(OptionSpec.builder("--state").paramLabel("<state>").type(Path.class)
                .description("runtime state directory, which holds the gRPC and Docker sockets unless configured otherwise "
                        + "(default /run/jcontainerd)").build());
        spec.addOption(OptionSpec.builder("-a", "--address").paramLabel("<address>").type(Path.class)
                .description("gRPC unix socket (default <state>/jcontainerd.sock)").build());
        spec.addOption(OptionSpec.builder("-l", "--log-level").paramLabel("<logLevel>").type(String.class)
                .defaultValue("info").description("debug, info, warn or error (default ${DEFAULT-VALUE})").build());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    /**
     * netty's buffer pools report JFR events (chunk and buffer allocations): the first pooled allocation,
     * the first call's, would initialise JFR's event machinery for them (its metadata, annotation proxies,
     * event classes generated at run time), ~50 ms of CPU on the path to the first answer, for events that
     * no one records unless this property is given {@code true} (README, "Performance").
     */
    static final String NETTY_JFR = "io.grpc.netty.shaded.io.netty.jfr.enabled";

    public static void main(String[] args) {
        TIMELINE = StartTimeline.sinceProcessStart();
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false"); // before any netty class reads it (StartWarmUp's first)
        }
        StartWarmUp.begin();
        // netty would otherwise probe the class path for SLF4J, Log4j 2 and Log4j (each a failed
        // class lookup through every jar) before settling on java.util.logging, which the daemon uses
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        CommandLine cli = new CommandLine(new Main().spec);
        TIMELINE.mark("command line");
        System.exit(cli.execute(args));
    }

    private <T> T option(String name) {
        return spec.findOption(name).getValue();
    }

    @Override
    public Integer call() {
        DaemonLogging.configure(option("--log-level"));
        TIMELINE.mark("logging");
        Path root = option("--root");
        Path state = option("--state");
        Path address = option("--address");
        // The hook is in place before the socket is bound: a SIGTERM that comes as soon as the socket
        // answers (before Daemon.start returns) waits for the start to end and then closes the daemon,
        // rather than ending the JVM with the socket and the metadata lock left behind.
        AtomicReference<Daemon> running = new AtomicReference<>();
        CountDownLatch startEnded = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                startEnded.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Daemon d = running.get();
            if (d != null) {
                d.close();
            }
            stopped.countDown();
        }, "shutdown"));
        Daemon daemon;
        try {
            DaemonConfig config = ConfigLoader.load(option("--config"), spec.commandLine().getParseResult().hasMatchedOption("--config"));
            if (root != null) {
                config = config.withRoot(root);
            }
            if (state != null) {
                config = config.withState(state).withGrpcAddress(address != null ? address : state.resolve("jcontainerd.sock"));
            }
            if (address != null) {
                config = config.withGrpcAddress(address);
            }
            TIMELINE.mark("config");
            daemon = Daemon.start(config, TIMELINE);
            running.set(daemon);
        } catch (JcdException e) {
            System.err.println("jcontainerd: " + e.getMessage());
            return 1;
        } finally {
            startEnded.countDown();
        }
        try {
            daemon.ready().join();
        } catch (CompletionException e) {
            // what is set up after the socket answered (CRI, the Docker facade) failed: the start failed
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("jcontainerd: " + (cause instanceof JcdException ? cause.getMessage() : cause.toString()));
            daemon.close();
            return 1;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
