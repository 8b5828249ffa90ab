package io.jcontainerd.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * strace attached to a running process and all its threads ({@code -f -p}), recording every
 * connect/sendto/sendmsg/sendmmsg with its socket address: what the process tried to reach, whether
 * or not the network let it. {@link #close} detaches (SIGTERM to strace, by its pid).
 */
public final class ConnectTrace implements AutoCloseable {
    private static final Pattern INET = Pattern.compile("sa_family=AF_INET, sin_port=htons\\((\\d+)\\), sin_addr=inet_addr\\(\"([^\"]+)\"\\)");
    private static final Pattern INET6 = Pattern.compile("sa_family=AF_INET6, sin6_port=htons\\((\\d+)\\).*?inet_pton\\(AF_INET6, \"([^\"]+)\"");

    /** One address a traced syscall named. */
    public record Destination(String address, int port, String line) {
        public boolean isLoopback() {
            return address.startsWith("127.") || address.equals("::1") || address.startsWith("::ffff:127.");
        }
    }

    private final Process strace;
    private final Path out;
    private final Path err;

    private ConnectTrace(Process strace, Path out, Path err) {
        this.strace = strace;
        this.out = out;
        this.err = err;
    }

    /** Attaches to {@code pid} and waits (up to 30 s) until strace says it is attached. */
    public static ConnectTrace attach(long pid, Path dir) {
        Cli.requireTool("/usr/bin/strace", "strace");
        Path out = dir.resolve("strace-" + pid + ".out");
        Path err = dir.resolve("strace-" + pid + ".err");
        Process p;
        try {
            p = new ProcessBuilder("/usr/bin/strace", "-f", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-e", "signal=none",
                    "-o", out.toString(), "-p", Long.toString(pid))
                    .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start strace: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "stop-strace-" + p.pid()));
        ConnectTrace trace = new ConnectTrace(p, out, err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!trace.stderr().contains("attached")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                trace.close();
                throw new AssertionError("strace did not attach to " + pid + ": " + trace.stderr());
            }
            sleep(20);
        }
        return trace;
    }

    /** Detaches and returns every IPv4/IPv6 destination the traced process named. */
    public List<Destination> stop() {
        close();
        try {
            return Files.readAllLines(out).stream().flatMap(line -> {
                Matcher m4 = INET.matcher(line);
                if (m4.find()) return java.util.stream.Stream.of(new Destination(m4.group(2), Integer.parseInt(m4.group(1)), line));
                Matcher m6 = INET6.matcher(line);
                if (m6.find()) return java.util.stream.Stream.of(new Destination(m6.group(2), Integer.parseInt(m6.group(1)), line));
                return java.util.stream.Stream.empty();
            }).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read the strace output " + out + ": " + e.getMessage(), e);
        }
    }

    private String stderr() {
        try {
            return Files.exists(err) ? Files.readString(err) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (!strace.isAlive()) return;
        strace.destroy();
        try {
            if (!strace.waitFor(30, TimeUnit.SECONDS)) {
                strace.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
