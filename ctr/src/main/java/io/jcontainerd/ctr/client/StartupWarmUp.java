package io.jcontainerd.ctr.client;

import com.google.protobuf.RuntimeVersion;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.logging.LogManager;

/**
 * Runs, on a second thread while the main thread builds and parses the command line, the JDK and
 * protobuf class initialisations every connected command waits for later: the JDK's unix-socket
 * support (its static initialiser builds a {@code SecureRandom}: the SUN provider, the
 * {@code java.security} file, ~25 ms of CPU in any JVM), {@code java.util.logging}'s manager (which
 * {@code io.grpc.Metadata}'s logger sets up) and protobuf's {@code RuntimeVersion} (whose initialiser
 * formats its version with {@code String.format}, which loads the locale data). The CPU is the same;
 * the wall time overlaps the main thread's (README "Performance", session 9).
 *
 * <p>Only classes whose initialisers never reach jctr's, grpc's or the generated messages' classes are
 * touched here, so the main thread can at worst wait for one of them, never deadlock with it. Nothing
 * here connects or fails a command: an error is left for the real call to meet and report.
 */
public final class StartupWarmUp {
    private StartupWarmUp() {
    }

    /** Starts the warm-up on a daemon thread (it never delays the exit). */
    public static void start() {
        Thread.ofPlatform().daemon().name("jctr-warm-up").start(() -> run(true));
    }

    /**
     * The warm-up of a command that calls on the wire on {@link Connection}'s own path ({@code version},
     * {@code namespaces ls}, the plain {@code run}): it never initialises a generated message nor, unless a call fails,
     * io.grpc's {@code Metadata} and its logger, so protobuf's RuntimeVersion and java.util.logging are left out (the
     * logging manager's service lookup opens the jar: README "Performance", sessions 12 and 13).
     */
    public static void startWithoutMessages() {
        Thread.ofPlatform().daemon().name("jctr-warm-up").start(() -> run(false));
    }

    static void run(boolean messages) {
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException | UnsupportedOperationException e) {
            // the command's own connect reports it
        }
        if (messages) {
            LogManager.getLogManager();
            Object domain = RuntimeVersion.DOMAIN; // reading the field runs RuntimeVersion's initialiser
        }
    }
}
