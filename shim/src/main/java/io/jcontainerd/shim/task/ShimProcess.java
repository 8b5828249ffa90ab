package io.jcontainerd.shim.task;

import io.jcontainerd.shim.io.ProcessIo;
import io.jcontainerd.shim.io.Stdio;
import io.jcontainerd.shim.process.ExitStatus;

import java.util.concurrent.CompletableFuture;

/** The init process or one exec: its mutable state, guarded by its own monitor. */
final class ShimProcess {
    final String execId;
    final Stdio stdio;
    /** The OCI Process JSON of an exec; null for init. */
    final String specJson;
    final CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
    /** Completes once the /tasks/exit event is queued (Delete's event must come after it). */
    final CompletableFuture<Void> exitPublished = new CompletableFuture<>();
    private ProcessIo io;
    private int pid;
    private ProcessStatus status = ProcessStatus.CREATED;
    private ExitStatus exit;
    private boolean started;

    ShimProcess(String execId, Stdio stdio, String specJson) {
        this.execId = execId;
        this.stdio = stdio;
        this.specJson = specJson;
    }

    boolean isInit() {
        return execId.isEmpty();
    }

    synchronized ProcessView view() {
        return new ProcessView(execId, pid, status, stdio, exit);
    }

    synchronized ProcessStatus status() {
        return status;
    }

    synchronized int pid() {
        return pid;
    }

    synchronized ProcessIo io() {
        return io;
    }

    synchronized boolean started() {
        return started;
    }

    synchronized void created(int pid, ProcessIo io) {
        this.pid = pid;
        this.io = io;
    }

    /** Marks the process running unless its exit already arrived. */
    synchronized void running() {
        started = true;
        if (status != ProcessStatus.STOPPED) {
            status = ProcessStatus.RUNNING;
        }
    }

    synchronized void paused(boolean paused) {
        if (status != ProcessStatus.STOPPED) {
            status = paused ? ProcessStatus.PAUSED : ProcessStatus.RUNNING;
        }
    }

    synchronized void stopped(ExitStatus exit) {
        this.status = ProcessStatus.STOPPED;
        this.exit = exit;
    }

    synchronized ExitStatus exit() {
        return exit;
    }
}
