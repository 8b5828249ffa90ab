package io.jcontainerd.ctr.run;

import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.client.PendingCall;
import io.jcontainerd.ctr.stdio.StdioCopier;
import io.jcontainerd.ctr.stdio.Terminal;
import sun.misc.Signal;

import java.util.List;

/**
 * Runs a created process (a task's init or an exec) with our stdio attached, as ctr does:
 * Wait is sent before Start, our signals are forwarded as Kill (without a terminal; with one the
 * keys reach the pty), the window size follows ours, and the exit status is returned once the
 * output has been copied. Its calls go on the wire ({@link TaskWire}).
 */
public final class AttachedProcess {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1", "USR2");

    private final Connection connection;
    private final String containerId;
    private final String execId;

    public AttachedProcess(Connection connection, String containerId, String execId) {
        this.connection = connection;
        this.containerId = containerId;
        this.execId = execId;
    }

    /** Starts the created process and returns its exit status when it has exited. */
    public int startAndWait(StdioCopier copier, boolean terminal) {
        PendingCall<Integer> exit = TaskWire.startWait(connection, containerId, execId);
        TaskWire.start(connection, containerId, execId);
        if (terminal) {
            resize();
            Signal.handle(new Signal("WINCH"), s -> resize());
        } else {
            for (String name : FORWARDED) {
                Signal.handle(new Signal(name), s -> kill(s.getNumber()));
            }
        }
        int status = exit.await();
        copier.awaitOutput(2_000);
        return status;
    }

    private void kill(int signal) {
        try {
            TaskWire.kill(connection, containerId, execId, signal);
        } catch (RuntimeException e) {
            System.err.println("jctr: cannot forward signal " + signal + " to " + containerId + ": " + e.getMessage());
        }
    }

    private void resize() {
        Terminal.size().ifPresent(rc -> {
            try {
                TaskWire.resizePty(connection, containerId, execId, rc[1], rc[0]);
            } catch (RuntimeException e) {
                // the process may have exited meanwhile: the next resize will tell
            }
        });
    }
}
