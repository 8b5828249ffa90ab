package io.jcontainerd.shim.runtime;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.InitCommand;
import io.jcontainerd.runtime.container.SpareInit;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.process.Reaper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The shim's {@link RuntimeSelector}: the runtime binary and state root a Create names (else the
 * shim's defaults), run in-process when that binary is this installation's own jrunc launcher
 * (unless in-process running is turned off), else through its command line (runc, crun, another jrunc).
 */
public final class Runtimes implements RuntimeSelector {
    /** PATH when the shim has none: where runtime binaries are looked up, and what they run with. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path defaultBinary;
    private final Path defaultRoot;
    private final Optional<Path> ownJrunc;
    private final Path logFile;
    private final Reaper reaper;
    private final ShimSyscalls sys;
    private final Supplier<InitCommand> initCommand;
    private final SpareInit spare;

    /**
     * @param ownJrunc the installation's {@code bin/jrunc}, to run in-process; null: always run binaries
     */
    public Runtimes(Path defaultBinary, Path defaultRoot, Path ownJrunc, Path logFile, Reaper reaper, ShimSyscalls sys) {
        this(defaultBinary, defaultRoot, ownJrunc == null ? Optional.empty() : real(ownJrunc), logFile, reaper, sys,
                memoized(InitCommand::current));
    }

    private Runtimes(Path defaultBinary, Path defaultRoot, Optional<Path> ownJrunc, Path logFile, Reaper reaper, ShimSyscalls sys,
                     Supplier<InitCommand> initCommand) {
        this(defaultBinary, defaultRoot, ownJrunc, logFile, reaper, sys, initCommand,
                Containers.spareInit(new ReaperChildren(reaper), initCommand));
    }

    private Runtimes(Path defaultBinary, Path defaultRoot, Optional<Path> ownJrunc, Path logFile, Reaper reaper, ShimSyscalls sys,
                     Supplier<InitCommand> initCommand, SpareInit spare) {
        this.defaultBinary = defaultBinary;
        this.defaultRoot = defaultRoot;
        this.ownJrunc = ownJrunc;
        this.logFile = logFile;
        this.reaper = reaper;
        this.sys = sys;
        this.initCommand = initCommand;
        this.spare = spare;
    }

    /** The runtimes of one task of a group: its namespace's default state root, its own log file; the rest shared. */
    public Runtimes forTask(Path taskDefaultRoot, Path taskLogFile) {
        return new Runtimes(defaultBinary, taskDefaultRoot, ownJrunc, taskLogFile, reaper, sys, initCommand, spare);
    }

    /**
     * Starts a spare init stage in the background when the shim's default runtime runs in-process, so
     * that the next create finds the init JVM booted. Called while the shim runs no container (at
     * start, and when its last task left); every create ends it, taken or not, so a shim never keeps an
     * idle JVM beside running containers.
     */
    public void prepareSpare() {
        if (inProcess(defaultBinary)) {
            Thread.ofPlatform().name("spare-init").daemon().start(() -> {
                try {
                    spare.prepare();
                } catch (RuntimeException e) {
                    System.err.println("jcontainerd-shim: no spare init stage: " + e.getMessage());
                }
            });
        }
    }

    /** Ends the spare init stage, if one waits (shim shutdown). */
    public void closeSpare() {
        spare.close();
    }

    @Override
    public OciRuntime select(String binaryName, String root) {
        Path binary = binaryName.isEmpty() ? defaultBinary : onPath(binaryName);
        Path stateRoot = root.isEmpty() ? defaultRoot : Path.of(root);
        boolean inProcess = inProcess(binary);
        // one line in shim.log per task, so it is plain which way a container was run
        System.err.println("jcontainerd-shim: runtime " + binary + (inProcess ? " in-process" : " as a command") + ", root " + stateRoot);
        if (!inProcess) {
            spare.discard(); // this create does not run in-process: the spare only stands beside its container
            return new RuntimeBinary(binary, stateRoot, logFile, reaper, sys);
        }
        return new InProcessRuntime(stateRoot, reaper, initCommand, spare);
    }

    /** True when {@code binary} is (a link to) the installation's own jrunc and in-process running is on. */
    public boolean inProcess(Path binary) {
        return ownJrunc.isPresent() && ownJrunc.equals(real(binary));
    }

    private static Optional<Path> real(Path path) {
        try {
            return Optional.of(path.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Path onPath(String binary) {
        if (binary.contains("/")) {
            return Path.of(binary);
        }
        String path = System.getenv().getOrDefault("PATH", DEFAULT_PATH);
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw JcdException.notFound("runtime binary %s is not on PATH (%s)", binary, path);
    }

    private static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }
}
