package io.jcontainerd.shim;

import io.jcontainerd.proto.ttrpc.TtrpcEvents;
import io.jcontainerd.shim.events.EventForwarder;
import io.jcontainerd.shim.api.ShimServer;
import io.jcontainerd.shim.api.ShimService;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.linux.SyscallException;
import io.jcontainerd.shim.process.Reaper;
import io.jcontainerd.shim.runtime.Runtimes;
import io.jcontainerd.shim.task.Task;
import io.jcontainerd.shim.task.TaskRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * {@code jcontainerd-shim}: detaches from whoever started it (own session), becomes the subreaper
 * of the containers' processes, serves the Shim API on its socket for a group of tasks (started with
 * one, or with none as the supervisor's spare), records where to find it in each task's bundle, and
 * exits when told to by Shutdown once no task is left, or when idle and unwanted ({@link IdleExit}).
 */
public final class ShimMain {

    private ShimMain() {
    }

    public static void main(String[] argv) {
        ShimArgs args;
        Path home = System.getProperty("jcd.home") == null ? null : Path.of(System.getProperty("jcd.home"));
        try {
            args = ShimArgs.parse(argv, home);
        } catch (RuntimeException e) {
            System.err.println("jcontainerd-shim: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(args, home);
            System.exit(0);
        } catch (RuntimeException | Error e) {
            System.err.println("jcontainerd-shim " + args.name() + ": " + e);
            System.exit(1);
        }
    }

    private static void run(ShimArgs args, Path home) {
        ShimSyscalls sys = ShimSyscalls.linux();
        detach(sys);
        sys.becomeSubreaper();
        if (!Files.isExecutable(args.runtime())) {
            throw new IllegalStateException("the OCI runtime " + args.runtime() + " is not an executable file: "
                    + "pass --runtime or install runc");
        }
        Reaper reaper = new Reaper(sys).start();
        Runtimes runtimes = new Runtimes(args.runtime(), null,
                args.runtimeInProcess() && home != null ? home.resolve("bin/jrunc") : null, null, reaper, sys);
        EventForwarder events = new EventForwarder(args.daemonAddress());
        var exitHandlers = Executors.newVirtualThreadPerTaskExecutor();
        long pid = ProcessHandle.current().pid();
        TaskRegistry tasks = new TaskRegistry(
                (namespace, id, bundle) -> new Task(namespace, id, bundle, sys, reaper,
                        runtimes.forTask(args.runtimeRoot(namespace), bundle.resolve("log.json")),
                        events.sink(namespace), exitHandlers),
                task -> ShimFiles.write(task.bundle(), args.socket(), pid),
                task -> ShimFiles.remove(task.bundle()));
        args.firstTask().ifPresent(t -> tasks.add(t.namespace(), t.id(), t.bundle()));
        CountDownLatch shutdown = new CountDownLatch(1);
        ShimServer server = ShimServer.start(args.socket(),
                new ShimService(tasks, args.firstTask().map(ShimArgs.FirstTask::namespace).orElse(""), shutdown::countDown).service());
        args.firstTask().ifPresent(t -> ShimFiles.write(t.bundle(), args.socket(), pid));
        IdleExit.start(TtrpcEvents.socketFor(args.daemonAddress()), args.socket(), tasks, shutdown::countDown);
        runtimes.prepareSpare();
        tasks.onIdle(runtimes::prepareSpare);
        try {
            shutdown.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The last exit event should reach the supervisor before the shim goes; it is on disk anyway.
        runtimes.closeSpare();
        events.flush(Duration.ofSeconds(2));
        args.firstTask().ifPresent(t -> ShimFiles.remove(t.bundle()));
        tasks.all().forEach(task -> ShimFiles.remove(task.bundle()));
        server.stop(500);
        events.close();
    }

    /**
     * A new session, so that the supervisor's death, its terminal or its process group's signals
     * do not reach the shim. The launcher usually did it already ({@code setsid}).
     */
    private static void detach(ShimSyscalls sys) {
        if (sys.getsid() == sys.getpid()) {
            return;
        }
        try {
            sys.setsid();
        } catch (SyscallException e) {
            throw new IllegalStateException("cannot start a new session (the shim leads a process group: "
                    + "start it through bin/jcontainerd-shim, which uses setsid): " + e.getMessage(), e);
        }
    }
}
