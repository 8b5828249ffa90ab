package io.jcontainerd.testsupport;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the fixture's shell scripts (scripts/ at the repository root) and tools, returning their stdout. */
final class FixtureScripts {

    private FixtureScripts() {
    }

    /**
     * The repository root: the nearest directory, from the working directory up, holding
     * scripts/test-registry.sh (Maven runs tests in the module's directory).
     */
    static Path repoRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/test-registry.sh"))) {
                return dir;
            }
        }
        throw JcdException.failedPrecondition("no scripts/test-registry.sh in %s or any parent directory:"
                + " run the tests from inside the jcontainerd checkout", start);
    }

    /** Runs {@code bash <script> <args>}; fails with the script's stderr when it exits non-zero. */
    static String run(Path script, List<String> args, Map<String, String> env, Duration timeout) {
        requireTool("bash", "bash");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        return runCommand(command, env, timeout);
    }

    /** Runs a command and returns its stdout, stripped; fails with its stderr when it exits non-zero. */
    static String runCommand(List<String> command, Map<String, String> env, Duration timeout) {
        Path stdout = null;
        Path stderr = null;
        try {
            // Files, not pipes: a process the script leaves running (the registry) never holds them open for us.
            stdout = Files.createTempFile("jcd-fixture-", ".stdout");
            stderr = Files.createTempFile("jcd-fixture-", ".stderr");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw JcdException.unavailable("%s did not finish within %s; its stderr so far: %s",
                        String.join(" ", command), timeout, Files.readString(stderr).strip());
            }
            if (p.exitValue() != 0) {
                throw JcdException.failedPrecondition("%s failed (exit %d): %s",
                        String.join(" ", command), p.exitValue(), Files.readString(stderr).strip());
            }
            return Files.readString(stdout, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while running %s", String.join(" ", command));
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    /** Fails with the Debian package to install when {@code tool} is not on the PATH. */
    static void requireTool(String tool, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw JcdException.failedPrecondition("'%s' not found on PATH: install the Debian package '%s' (apt-get install %s)",
                tool, debianPackage, debianPackage);
    }
}
