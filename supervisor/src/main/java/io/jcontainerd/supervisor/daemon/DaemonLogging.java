package io.jcontainerd.supervisor.daemon;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per log record on stderr: time, level, logger, message (containerd-like). */
public final class DaemonLogging {
    // Held strongly: java.util.logging forgets the level of a logger nobody references.
    private static final Logger QUIETED = Logger.getLogger("io.grpc");
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");
    // Logs "Stream closed before write could take place" whenever a client cancels a Read mid-stream,
    // which ctr does by design (it reads what it needs and cancels).
    private static final Logger NETTY_HANDLER = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
    private DaemonLogging() {
    }

    public static void configure(String level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level l = switch (level.toLowerCase()) {
            case "debug", "trace" -> Level.FINE;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(l);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
                String msg = formatMessage(r);
                if (r.getThrown() != null) {
                    msg += ": " + r.getThrown();
                }
                return String.format("time=\"%s\" level=%s module=%s msg=\"%s\"%n", Instant.ofEpochMilli(r.getMillis()),
                        levelName(r.getLevel()), name, msg.replace("\"", "\\\""));
            }
        });
        root.addHandler(h);
        root.setLevel(l);
        QUIETED.setLevel(Level.WARNING);
        // Netty warns that SO_KEEPALIVE does not apply to unix sockets, once per connection.
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
        NETTY_HANDLER.setLevel(Level.SEVERE);
    }

    /**
     * Writes one info line straight to stderr; for the shutdown hook, where java.util.logging's
     * own hook may already have closed the handlers.
     */
    public static void finalLine(String module, String msg) {
        System.err.printf("time=\"%s\" level=info module=%s msg=\"%s\"%n", Instant.now(), module, msg);
    }

    private static String levelName(Level l) {
        if (l.intValue() >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (l.intValue() >= Level.WARNING.intValue()) {
            return "warning";
        }
        return l.intValue() >= Level.INFO.intValue() ? "info" : "debug";
    }
}
