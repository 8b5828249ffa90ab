package io.jcontainerd.shim.runtime;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.Reaper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCI runtime driven through runc's command line ({@code jrunc} or {@code runc}):
 * {@code <binary> --root <root> --log <bundle>/log.json --log-format json <command> ...}.
 */
public final class RuntimeBinary implements OciRuntime {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LOG_ERROR = Pattern.compile("\"level\":\"(?:error|fatal)\",\"msg\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern PIDS = Pattern.compile("\\d+");

    private final Path binary;
    private final Path root;
    private final Path logFile;
    private final Reaper reaper;
    private final ShimSyscalls sys;
    private final Map<String, String> env;

    public RuntimeBinary(Path binary, Path root, Path logFile, Reaper reaper, ShimSyscalls sys) {
        this.binary = binary;
        this.root = root;
        this.logFile = logFile;
        this.reaper = reaper;
        this.sys = sys;
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putIfAbsent("PATH", Runtimes.DEFAULT_PATH);
        this.env = Map.copyOf(environment);
    }

    public Path binary() {
        return binary;
    }

    public Path root() {
        return root;
    }

    @Override
    public void create(String id, Path bundle, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
        List<String> args = new ArrayList<>(List.of("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString()));
        consoleSocket.ifPresent(s -> args.addAll(List.of("--console-socket", s.toString())));
        args.add(id);
        runWithStdio(args, stdio);
    }

    @Override
    public void start(String id) {
        run(List.of("start", id));
    }

    @Override
    public void kill(String id, int signal, boolean all) {
        run(all ? List.of("kill", "--all", id, Integer.toString(signal)) : List.of("kill", id, Integer.toString(signal)));
    }

    @Override
    public void delete(String id, boolean force) {
        run(force ? List.of("delete", "--force", id) : List.of("delete", id));
    }

    @Override
    public void pause(String id) {
        run(List.of("pause", id));
    }

    @Override
    public void resume(String id) {
        run(List.of("resume", id));
    }

    @Override
    public List<Integer> ps(String id) {
        String json = run(List.of("ps", "--format", "json", id));
        List<Integer> pids = new ArrayList<>();
        Matcher m = PIDS.matcher(json);
        while (m.find()) {
            pids.add(Integer.parseInt(m.group()));
        }
        return pids;
    }

    @Override
    public void exec(String id, Path processJson, Path pidFile, Optional<Path> consoleSocket, Stdio stdio) {
        List<String> args = new ArrayList<>(List.of("exec", "--process", processJson.toString(), "--pid-file", pidFile.toString(), "--detach"));
        consoleSocket.ifPresent(s -> args.addAll(List.of("--console-socket", s.toString())));
        args.add(id);
        runWithStdio(args, stdio);
    }

    @Override
    public void update(String id, Path resourcesJson) {
        run(List.of("update", "--resources", resourcesJson.toString(), id));
    }

    @Override
    public String stats(String id) {
        return run(List.of("events", "--stats", id));
    }

    /** Runs a command whose stdout the shim reads; its stdin is /dev/null. */
    private String run(List<String> args) {
        int devNull = sys.open("/dev/null", ShimSyscalls.O_RDONLY, 0);
        int out = sys.memfd("runtime-stdout");
        int err = sys.memfd("runtime-stderr");
        try {
            execute(args, new Stdio(devNull, out, err), err);
            return readMemfd(out);
        } finally {
            sys.close(devNull);
            sys.close(out);
            sys.close(err);
        }
    }

    /** Runs a command that passes {@code stdio} on to the container process it starts. */
    private void runWithStdio(List<String> args, Stdio stdio) {
        execute(args, stdio, -1);
    }

    private void execute(List<String> args, Stdio stdio, int stderrMemfd) {
        List<String> argv = new ArrayList<>(List.of(binary.toString(), "--root", root.toString(),
                "--log", logFile.toString(), "--log-format", "json"));
        argv.addAll(args);
        long logOffset = logSize();
        long started = reaper.mark();
        int pid;
        try {
            pid = reaper.spawn(argv, env, stdio.fds());
        } catch (RuntimeException e) {
            throw JcdException.failedPrecondition("cannot run the OCI runtime %s: %s", binary, e.getMessage());
        }
        ExitStatus exit;
        try {
            exit = reaper.exitOf(pid, started).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sys.kill(pid, 9);
            throw JcdException.unavailable("%s %s did not finish within %s and was killed", binary, String.join(" ", args), COMMAND_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while waiting for %s %s", binary, args.getFirst());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (exit.status() != 0) {
            String reason = errorOf(logOffset, stderrMemfd);
            String message = String.format("%s %s failed (exit status %d): %s", binary.getFileName(), String.join(" ", args),
                    exit.status(), reason.isEmpty() ? "no error message; see " + logFile : reason);
            String lower = reason.toLowerCase();
            if (lower.contains("does not exist") || lower.contains("not found") || lower.contains("no such")) {
                throw JcdException.notFound("%s", message);
            }
            if (lower.contains("not running") || lower.contains("stopped") || lower.contains("paused")
                    || lower.contains("already exists")) {
                throw JcdException.failedPrecondition("%s", message);
            }
            throw JcdException.of(ErrorKind.UNKNOWN, message, null);
        }
    }

    private long logSize() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The error lines the command logged after {@code offset}, else its stderr. */
    private String errorOf(long offset, int stderrMemfd) {
        List<String> errors = new ArrayList<>();
        try (var channel = Files.newByteChannel(logFile, StandardOpenOption.READ)) {
            channel.position(offset);
            String text = new String(java.nio.channels.Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = LOG_ERROR.matcher(text);
            while (m.find()) {
                errors.add(m.group(1).replace("\\\"", "\"").replace("\\n", " "));
            }
        } catch (IOException e) {
            // No log: fall back to stderr.
        }
        if (errors.isEmpty() && stderrMemfd >= 0) {
            String err = readMemfd(stderrMemfd).strip();
            if (!err.isEmpty()) {
                errors.add(err);
            }
        }
        return String.join("; ", errors);
    }

    private static String readMemfd(int fd) {
        try {
            return Files.readString(Path.of("/proc/self/fd/" + fd));
        } catch (IOException e) {
            return "";
        }
    }
}
