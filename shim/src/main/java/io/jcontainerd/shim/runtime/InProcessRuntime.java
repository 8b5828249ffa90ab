package io.jcontainerd.shim.runtime;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.InitCommand;
import io.jcontainerd.runtime.container.PlanBuilder;
import io.jcontainerd.runtime.container.SpareInit;
import io.jcontainerd.runtime.container.StatsEvent;
import io.jcontainerd.runtime.container.StdioFds;
import io.jcontainerd.runtime.spec.Json;
import io.jcontainerd.runtime.spec.SpecJson;
import io.jcontainerd.shim.process.Reaper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * jcontainerd's own runtime, jrunc, run as a library inside the shim's JVM: no runtime process per
 * operation, only the init stage JVM that becomes the container's process. Same state directory
 * ({@code <root>/<id>/state.json}) as the jrunc command, so {@code jrunc --root <root> list|state|delete}
 * work on these containers too.
 *
 * <p>The init stages and hooks are children of the shim, started and reaped through its
 * {@link Reaper}. Calls that wait for an init stage to boot run on a platform thread of their own,
 * so a virtual thread of the gRPC server never pins its carrier in a native read for that long.
 * Errors keep jrunc's kind and message.
 */
public final class InProcessRuntime implements OciRuntime {
    private final Containers containers;
    private final SpareInit spare;

    /** @param spare the shim's spare init stage (a create may take it; it is discarded after each create) */
    public InProcessRuntime(Path root, Reaper reaper, Supplier<InitCommand> initCommand, SpareInit spare) {
        this.containers = new Containers(root, new ReaperChildren(reaper), initCommand, spare);
        this.spare = spare;
    }

    public Path root() {
        return containers.store().root();
    }

    @Override
    public void create(String id, Path bundle, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
        PlanBuilder.CreateOptions options = new PlanBuilder.CreateOptions(null, consoleSocket.map(Path::toString).orElse(null), 0, false);
        try {
            onOwnThread("create", () -> containers.create(id, bundle, options, pidFile.toString(), fds(stdio)));
        } finally {
            spare.discard();
        }
    }

    @Override
    public void start(String id) {
        call("start", () -> containers.start(id));
    }

    @Override
    public void kill(String id, int signal, boolean all) {
        call("kill", () -> containers.kill(id, signal, all));
    }

    @Override
    public void delete(String id, boolean force) {
        call("delete", () -> containers.delete(id, force));
    }

    @Override
    public void pause(String id) {
        call("pause", () -> containers.pause(id));
    }

    @Override
    public void resume(String id) {
        call("resume", () -> containers.resume(id));
    }

    @Override
    public List<Integer> ps(String id) {
        return call("ps", () -> containers.pids(id));
    }

    @Override
    public void exec(String id, Path processJson, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
        String json = read(processJson, "exec process spec");
        onOwnThread("exec", () -> containers.exec(id, SpecJson.process(Json.parse(json)), true, pidFile.toString(),
                consoleSocket.map(Path::toString).orElse(null), 0, fds(stdio)));
    }

    @Override
    public void update(String id, Path resourcesJson) {
        String json = read(resourcesJson, "resources");
        String source = "resources file " + resourcesJson;
        call("update", () -> containers.update(id, parse(json, source), source));
    }

    /** As the jrunc command reads a resources file. */
    private static Object parse(String json, String source) {
        try {
            return Json.parse(json);
        } catch (JruncException e) {
            throw JruncException.invalidArgument("update: %s is not valid JSON: %s", source, e.getMessage());
        }
    }

    @Override
    public String stats(String id) {
        return call("events", () -> StatsEvent.json(id, containers.stats(id)));
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot read the %s %s: %s", what, file, e.getMessage());
        }
    }

    private static StdioFds fds(Stdio stdio) {
        return new StdioFds(stdio.stdin(), stdio.stdout(), stdio.stderr());
    }

    private static void call(String command, Runnable body) {
        call(command, () -> {
            body.run();
            return null;
        });
    }

    private static <T> T call(String command, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw translate(command, e);
        }
    }

    /**
     * Runs {@code body} on a new platform thread and waits for it (the caller may be a virtual thread).
     * An Error there (OutOfMemoryError, StackOverflowError, NoClassDefFoundError, UnsatisfiedLinkError)
     * fails the command: it ended the thread before the command finished, so nothing it did counts.
     */
    static void onOwnThread(String command, Supplier<?> body) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicReference<Error> error = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("jrunc-" + command).start(() -> {
            try {
                body.get();
            } catch (RuntimeException e) {
                failure.set(e);
            } catch (Error e) {
                error.set(e);
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while jrunc %s ran (it goes on in the background)", command);
        }
        if (error.get() != null) {
            throw JcdException.of(ErrorKind.UNKNOWN, "jrunc " + command + " failed: " + error.get()
                    + " (the shim's JVM may be short of memory or stack, or incomplete: see the shim's log)", error.get());
        }
        if (failure.get() != null) {
            throw translate(command, failure.get());
        }
    }

    /** jrunc's error in our vocabulary: its kind, and the message the jrunc command prints. */
    static JcdException translate(String command, RuntimeException e) {
        String message = "jrunc " + command + ": " + (e instanceof JruncException ? e.getMessage() : e.toString());
        ErrorKind kind = e instanceof JruncException j ? switch (j.kind()) {
            case NOT_FOUND -> ErrorKind.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorKind.ALREADY_EXISTS;
            case INVALID_ARGUMENT -> ErrorKind.INVALID_ARGUMENT;
            case FAILED_PRECONDITION -> ErrorKind.FAILED_PRECONDITION;
            case SYSTEM -> ErrorKind.UNKNOWN;
        } : ErrorKind.UNKNOWN;
        return JcdException.of(kind, message, e);
    }
}
