package io.jcontainerd.supervisor.docker.containers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A container as the facade holds it while the daemon runs: its document, its log, the stdio
 * of its current run, who is attached, and the futures waiters hang on (next exit, removal).
 * Changes happen under the object's lock.
 */
public final class LiveContainer {
    private volatile ContainerDocument doc;
    final LogFile log;
    ProcessStdio stdio;
    final List<OutputSink> attached = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> nextExit = new CompletableFuture<>();
    final CompletableFuture<Integer> removed = new CompletableFuture<>();
    boolean removing;
    /** Set while a stop or kill of ours is under way: the exit is not a failure to restart for. */
    volatile boolean stopping;
    /** Set when the exit of its last run deleted its task: a removal then has no task to delete (one gRPC call less). */
    volatile boolean taskDeleted;

    LiveContainer(ContainerDocument doc) {
        this.doc = doc;
        this.log = new LogFile(java.nio.file.Path.of(doc.logPath()));
    }

    public ContainerDocument doc() {
        return doc;
    }

    void doc(ContainerDocument d) {
        this.doc = d;
    }

    public String id() {
        return doc.id();
    }

    public LogFile log() {
        return log;
    }

    public boolean running() {
        return doc.state().running();
    }

    /** The future of the next exit's status, taken now. */
    public synchronized CompletableFuture<Integer> nextExit() {
        return nextExit;
    }

    public CompletableFuture<Integer> removedFuture() {
        return removed;
    }

    /** Waits up to {@code millis} for a run's stdio (a client attached before start sends input early). */
    public synchronized ProcessStdio awaitStdio(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (stdio == null && !removing) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return stdio;
    }

    /** The current run's stdio (null when not running). */
    public synchronized ProcessStdio stdio() {
        return stdio;
    }

    /** Hears the output of this and later runs until removed. */
    public void attach(OutputSink sink) {
        attached.add(sink);
    }

    public void detach(OutputSink sink) {
        attached.remove(sink);
    }
}
