package io.jcontainerd.ctr.stdio;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Our controlling terminal, driven through stty on /dev/tty: raw mode for an interactive
 * container (every key, Ctrl-D and Ctrl-C included, goes to the container's pty) and its size.
 */
public final class Terminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");
    private final String saved;
    private final Thread restoreOnExit;

    private Terminal(String saved) {
        this.saved = saved;
        // A SIGTERM or SIGHUP ends the JVM without unwinding: give the user their terminal back anyway.
        this.restoreOnExit = Thread.ofPlatform().unstarted(() -> stty(saved));
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /** Puts the terminal in raw mode; {@link #close} restores what it was. */
    public static Terminal raw() {
        String saved = stty("-g").orElseThrow(() -> new IllegalStateException(
                "-t needs a terminal: run jctr from one, or drop -t"));
        stty("raw", "-echo");
        return new Terminal(saved.strip());
    }

    /** Rows and columns, if there is a terminal that knows its size. */
    public static Optional<int[]> size() {
        return stty("size").map(String::strip).filter(s -> s.matches("\\d+ \\d+")).map(s -> {
            String[] p = s.split(" ");
            return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        });
    }

    private static Optional<String> stty(String... args) {
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        stty(saved);
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run: it restores the same settings
        }
    }
}
