package io.jcontainerd.network.host;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The iptables command (Debian's iptables, nf_tables backend), run with -w so concurrent callers
 * (the CNI plugins, other daemons) wait for the lock instead of failing.
 */
public final class Iptables {
    private static final int MAX_OUTPUT = 4 << 20;
    private static final long TIMEOUT_MS = 60_000;

    /** The result of one iptables run. */
    public record Run(int status, String output) {
    }

    /** Runs {@code iptables -w -t table args...}; returns status and output (stdout and stderr). */
    public Run run(String table, String... args) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-t", table));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(MAX_OUTPUT);
                in.transferTo(OutputStreamSink.INSTANCE);
            }
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw JcdException.unavailable("%s did not finish within %d ms", String.join(" ", cmd), TIMEOUT_MS);
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot run %s: %s (install Debian's iptables)", String.join(" ", cmd), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while running %s", String.join(" ", cmd));
        }
    }

    /** Runs and throws on a non-zero status, naming the command and what iptables said. */
    public String ok(String table, String... args) {
        Run r = run(table, args);
        if (r.status() != 0) {
            throw JcdException.unavailable("iptables -t %s %s failed (status %d): %s", table, String.join(" ", args), r.status(),
                    r.output().strip());
        }
        return r.output();
    }

    /** {@code iptables -S} of one table, as lines. */
    public List<String> rules(String table) {
        return ok(table, "-S").lines().toList();
    }

    public boolean chainExists(String table, String chain) {
        return run(table, "-S", chain).status() == 0;
    }

    /** Splits an iptables -S rule into arguments, keeping quoted comments whole. */
    public static List<String> splitRule(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '\\' && quoted && i + 1 < rule.length()) {
                cur.append(rule.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Discards what is left of an over-long output. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
