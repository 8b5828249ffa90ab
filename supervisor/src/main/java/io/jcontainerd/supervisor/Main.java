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

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code jcontainerd}: the supervisor daemon. Runs until SIGTERM or SIGINT. Its command line is
 * {@link DaemonArgs}, read by hand (README, "Performance").
 */
public final class Main {
    private static StartTimeline TIMELINE;
    /** Exit status of an unusable command line (picocli's, which read it before). */
    static final int USAGE_ERROR = 2;
    private final DaemonArgs args;

    private Main(DaemonArgs args) {
        this.args = args;
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
        DaemonArgs parsed;
        try {
            parsed = DaemonArgs.parse(List.of(args));
        } catch (JcdException e) {
            System.err.println(e.getMessage());
            System.err.print(DaemonArgs.USAGE);
            System.exit(USAGE_ERROR);
            return;
        }
        TIMELINE.mark("command line");
        System.exit(switch (parsed.action()) {
            case HELP -> {
                System.out.print(DaemonArgs.USAGE);
                yield 0;
            }
            case VERSION -> {
                System.out.println("jcontainerd " + BuildInfo.OWN_VERSION + " (containerd API " + BuildInfo.API_LEVEL + ")");
                yield 0;
            }
            case RUN -> {
                try {
                    yield new Main(parsed).run();
                } catch (RuntimeException e) {
                    e.printStackTrace(); // as picocli's execute did: the trace, then exit status 1
                    yield 1;
                }
            }
        });
    }

    private int run() {
        DaemonLogging.configure(args.logLevel());
        TIMELINE.mark("logging");
        Path root = args.root();
        Path state = args.state();
        Path address = args.address();
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
            DaemonConfig config = ConfigLoader.load(args.config(), args.configGiven());
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
