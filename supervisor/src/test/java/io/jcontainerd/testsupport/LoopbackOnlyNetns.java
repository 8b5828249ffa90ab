package io.jcontainerd.testsupport;

import java.util.List;

/**
 * A named network namespace of this test's own ({@code ip netns add}) whose only interface is
 * {@code lo}, up: what runs in it reaches 127.0.0.1 and ::1 and nothing else, so not one packet can
 * leave the machine. {@link #close} deletes it (after the processes started in it have stopped).
 */
public final class LoopbackOnlyNetns implements AutoCloseable {
    private final String name;

    private LoopbackOnlyNetns(String name) {
        this.name = name;
    }

    /** Creates {@code jcd-<purpose>-<test pid>-<nanos>}; fails naming the command when ip refuses. */
    public static LoopbackOnlyNetns create(String purpose) {
        String name = "jcd-" + purpose + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        ok(List.of("ip", "netns", "add", name));
        LoopbackOnlyNetns netns = new LoopbackOnlyNetns(name);
        try {
            ok(List.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"));
        } catch (AssertionError e) {
            netns.close();
            throw e;
        }
        return netns;
    }

    public String name() {
        return name;
    }

    /** The prefix that runs a command inside this namespace (it execs the command: the pid stays). */
    public List<String> launcher() {
        return List.of("ip", "netns", "exec", name);
    }

    @Override
    public void close() {
        ok(List.of("ip", "netns", "delete", name));
    }

    private static void ok(List<String> command) {
        Cli.Result r = Cli.run(command, java.util.Map.of(), 30);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (needs root and iproute2): " + r);
        }
    }
}
