package io.jcontainerd.ctr.run;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.tasks.v1.KillRequest;
import io.jcontainerd.api.services.tasks.v1.ResizePtyRequest;
import io.jcontainerd.api.services.tasks.v1.StartRequest;
import io.jcontainerd.api.services.tasks.v1.WaitRequest;
import io.jcontainerd.api.services.tasks.v1.WaitResponse;
import io.jcontainerd.ctr.stdio.StdioCopier;
import io.jcontainerd.ctr.stdio.Terminal;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a created process (a task's init or an exec) with our stdio attached, as ctr does:
 * Wait is sent before Start, our signals are forwarded as Kill (without a terminal; with one the
 * keys reach the pty), the window size follows ours, and the exit status is returned once the
 * output has been copied.
 */
public final class AttachedProcess {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1", "USR2");

    private final Stubs stubs;
    private final String containerId;
    private final String execId;

    public AttachedProcess(Stubs stubs, String containerId, String execId) {
        this.stubs = stubs;
        this.containerId = containerId;
        this.execId = execId;
    }

    /** Starts the created process and returns its exit status when it has exited. */
    public int startAndWait(StdioCopier copier, boolean terminal) {
        CompletableFuture<WaitResponse> exit = new CompletableFuture<>();
        stubs.asyncTasks().wait(WaitRequest.newBuilder().setContainerId(containerId).setExecId(execId).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WaitResponse r) {
                        exit.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        exit.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        // the response came in onNext
                    }
                });
        stubs.tasks().start(StartRequest.newBuilder().setContainerId(containerId).setExecId(execId).build());
        if (terminal) {
            resize();
            Signal.handle(new Signal("WINCH"), s -> resize());
        } else {
            for (String name : FORWARDED) {
                Signal.handle(new Signal(name), s -> kill(s.getNumber()));
            }
        }
        try {
            int status = exit.get().getExitStatus();
            copier.awaitOutput(2_000);
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunException("interrupted waiting for " + containerId);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RunException(e.getCause().toString());
        }
    }

    private void kill(int signal) {
        try {
            stubs.tasks().kill(KillRequest.newBuilder().setContainerId(containerId).setExecId(execId).setSignal(signal).build());
        } catch (RuntimeException e) {
            System.err.println("jctr: cannot forward signal " + signal + " to " + containerId + ": " + e.getMessage());
        }
    }

    private void resize() {
        Terminal.size().ifPresent(rc -> {
            try {
                stubs.tasks().resizePty(ResizePtyRequest.newBuilder().setContainerId(containerId).setExecId(execId)
                        .setWidth(rc[1]).setHeight(rc[0]).build());
            } catch (RuntimeException e) {
                // the process may have exited meanwhile: the next resize will tell
            }
        });
    }
}
