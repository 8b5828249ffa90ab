package io.jcontainerd.runtime.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs a runc-compatible binary (bin/jrunc or Debian's runc) with its own temporary --root. */
final class Jrunc implements AutoCloseable {
    record Result(int code, String stdout, String stderr) {}

    static final Path REPO = findRepo();
    static final Path LAUNCHER = REPO.resolve("bin/jrunc");

    final String binary;
    final Path root;
    final List<String> created = new ArrayList<>();

    private Jrunc(String binary) throws IOException {
        this.binary = binary;
        this.root = Files.createTempDirectory("jrunc-root-");
    }

    static Jrunc jrunc() throws IOException {
        if (!Files.exists(REPO.resolve("runtime-oci/target/jrunc.jar"))) throw new IllegalStateException("runtime-oci/target/jrunc.jar is missing: run mvn package first");
        return new Jrunc(LAUNCHER.toString());
    }

    static Jrunc runc() throws IOException {
        if (!Files.isExecutable(Path.of("/usr/sbin/runc"))) throw new IllegalStateException("runc is not installed: apt-get install runc");
        return new Jrunc("/usr/sbin/runc");
    }

    private static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bin/jrunc"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the repository root (bin/jrunc) above " + Path.of("").toAbsolutePath());
        return p;
    }

    Result run(String... args) throws IOException, InterruptedException {
        return runWithStdin(null, args);
    }

    Result runWithStdin(String stdin, String... args) throws IOException, InterruptedException {
        return runWithEnv(java.util.Map.of(), stdin, args);
    }

    /** Runs with these variables added to the environment this JVM passes on. */
    Result runWithEnv(java.util.Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary, "--root", root.toString()));
        cmd.addAll(List.of(args));
        if (args.length > 1 && (args[0].equals("create") || args[0].equals("run"))) created.add(args[args.length - 1]);
        // stdout/stderr go to files, not pipes: a detached container keeps the inherited fds open
        Path out = Files.createTempFile(root, "out", ".txt"), err = Files.createTempFile(root, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 120 s");
        }
        try {
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Force-deletes every container this runner created, then its --root. */
    @Override public void close() throws IOException, InterruptedException {
        for (String id : created) run("delete", "--force", id);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
