package io.jcontainerd.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs one CNI plugin binary per the CNI 1.0 spec: the command and context in the environment, the
 * network configuration on stdin, the result (ADD, VERSION) or the error JSON on stdout. Output is
 * bounded and the plugin is killed after a timeout; every failure is one of our errdefs naming the
 * plugin, the command and the subject.
 */
public final class CniInvoker {
    /** More than any real result (a few KiB); a plugin that writes more is broken. */
    public static final int MAX_OUTPUT = 1 << 20;
    private static final Pattern PLUGIN_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final List<Path> pluginDirs;
    private final Duration timeout;

    public CniInvoker(List<Path> pluginDirs, Duration timeout) {
        this.pluginDirs = List.copyOf(pluginDirs);
        this.timeout = timeout;
    }

    public List<Path> pluginDirs() {
        return pluginDirs;
    }

    /** The executable of plugin {@code type}, first found in the plugin directories. */
    public Path find(String type) {
        if (type == null || !PLUGIN_TYPE.matcher(type).matches()) {
            throw JcdException.invalidArgument("CNI plugin type \"%s\" is not a plugin name (letters, digits, '.', '_', '-')", type);
        }
        for (Path dir : pluginDirs) {
            Path p = dir.resolve(type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw JcdException.failedPrecondition("CNI plugin %s not found in %s: install Debian's containernetworking-plugins or set [network] plugin_dirs",
                type, pluginDirs);
    }

    /**
     * Runs plugin {@code type} with {@code command}; returns its stdout parsed as JSON (ADD, VERSION),
     * or empty for DEL and CHECK, which print nothing on success.
     *
     * @param subject what the call is for, in error messages ("container web on network bridge")
     */
    public Optional<JsonNode> invoke(CniCommand command, String type, CniContext ctx, ObjectNode config, String subject) {
        Path exe = find(type);
        byte[] stdin;
        try {
            stdin = JSON.writeValueAsBytes(config);
        } catch (IOException e) {
            throw JcdException.invalidArgument("CNI configuration for plugin %s cannot be written as JSON: %s", type, e.getMessage());
        }
        ProcessBuilder pb = new ProcessBuilder(exe.toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("CNI_COMMAND", command.name());
        env.put("CNI_PATH", pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        if (command != CniCommand.VERSION) {
            env.put("CNI_CONTAINERID", ctx.containerId());
            env.put("CNI_NETNS", ctx.netns());
            env.put("CNI_IFNAME", ctx.ifName());
            if (!ctx.args().isEmpty()) {
                env.put("CNI_ARGS", ctx.args().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(";")));
            }
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw JcdException.unavailable("cannot start CNI plugin %s: %s", exe, e.getMessage());
        }
        Future<byte[]> out = drain(p.getInputStream());
        Future<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // a plugin may exit before reading all of stdin; its exit status and output tell why
        }
        int status;
        byte[] stdout;
        byte[] stderr;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw JcdException.of(ErrorKind.DEADLINE_EXCEEDED, String.format(
                        "CNI plugin %s %s for %s did not finish within %d ms: killed", type, command, subject, timeout.toMillis()), null);
            }
            status = p.exitValue();
            stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while CNI plugin " + type + " ran", e);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw JcdException.unavailable("cannot read the output of CNI plugin %s %s for %s: %s", type, command, subject, e);
        }
        if (stdout == null) {
            throw JcdException.unavailable("CNI plugin %s %s for %s wrote more than %d bytes: the plugin is broken",
                    type, command, subject, MAX_OUTPUT);
        }
        if (status != 0) {
            throw error(type, command, subject, status, stdout, stderr);
        }
        if (stdout.length == 0 || new String(stdout, StandardCharsets.UTF_8).isBlank()) {
            if (command == CniCommand.ADD || command == CniCommand.VERSION) {
                throw JcdException.unavailable("CNI plugin %s %s for %s printed no result", type, command, subject);
            }
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(stdout);
            if (node == null || !node.isObject()) {
                throw JcdException.unavailable("CNI plugin %s %s for %s printed a result that is not a JSON object", type, command, subject);
            }
            return Optional.of(node);
        } catch (IOException e) {
            throw JcdException.unavailable("CNI plugin %s %s for %s printed a result that is not JSON: %s", type, command, subject,
                    e.getMessage());
        }
    }

    private static JcdException error(String type, CniCommand command, String subject, int status, byte[] stdout, byte[] stderr) {
        try {
            JsonNode node = JSON.readTree(stdout);
            if (node != null && node.isObject() && node.has("code")) {
                return CniErrors.of(type, command, subject, node.path("code").asInt(), node.path("msg").asText(""),
                        node.path("details").asText(""));
            }
        } catch (IOException e) {
            // not the error JSON: fall through to the raw output
        }
        String text = new String(stderr != null && stderr.length > 0 ? stderr : stdout, StandardCharsets.UTF_8).strip();
        if (text.length() > 2000) {
            text = text.substring(0, 2000) + "...";
        }
        return JcdException.of(ErrorKind.UNKNOWN, String.format("CNI plugin %s %s for %s exited with status %d: %s",
                type, command, subject, status, text.isEmpty() ? "no output" : text), null);
    }

    /** Reads a stream to its end in a virtual thread, keeping at most MAX_OUTPUT bytes (null past that). */
    private static Future<byte[]> drain(InputStream in) {
        FutureTask<byte[]> task = new FutureTask<>(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                boolean over = false;
                for (int n; (n = in.read(chunk)) > 0; ) {
                    if (buf.size() + n > MAX_OUTPUT) {
                        over = true;
                    } else {
                        buf.write(chunk, 0, n);
                    }
                }
                return over ? null : buf.toByteArray();
            }
        });
        Thread.ofVirtual().name("cni-output").start(task);
        return task;
    }
}
