package io.jcontainerd.shim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real shims for the ITs: busybox bundles in a temporary directory, shims started through
 * bin/jcontainerd-shim with Debian's runc (run as a binary) or the project's jrunc (run in the
 * shim's JVM), and cleanup of every container, shim and file created, by id and pid, whatever the
 * test did.
 */
final class ShimHarness implements AutoCloseable {
    static final Path REPO = locateRepo();
    static final Path RUNC = Path.of("/usr/sbin/runc");
    static final Path JRUNC = REPO.resolve("bin/jrunc");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "echo", "sleep", "cat", "true", "stty", "ps", "ls", "env");

    final Path dir;
    /** The runtime the shims drive: {@link #RUNC} or {@link #JRUNC}. */
    final Path runtime;
    final Path runtimeRoot;
    private final List<String> containers = new ArrayList<>();
    private final List<Long> shimPids = new ArrayList<>();
    private final List<ShimClient> clients = new ArrayList<>();

    ShimHarness() throws IOException {
        this(RUNC);
    }

    ShimHarness(Path runtime) throws IOException {
        requireRoot();
        if (!Files.isExecutable(runtime)) {
            throw new IllegalStateException(runtime + " is missing: build the project (scripts/build.sh) or install runc");
        }
        this.runtime = runtime;
        // Short: unix socket paths are limited to 107 bytes.
        dir = Files.createTempDirectory(Path.of("/tmp"), "jcd-shim-it");
        runtimeRoot = dir.resolve("runtime");
    }

    /** The runtime's own {@code list} of the containers in {@link #runtimeRoot}. */
    String runtimeList() throws Exception {
        return run(dir, runtime.toString(), "--root", runtimeRoot.toString(), "list");
    }

    static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the shim ITs run real containers and need root");
        }
        for (Path p : List.of(RUNC, BUSYBOX)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: apt-get install runc busybox-static");
            }
        }
    }

    String newId() {
        String id = "shimit-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(id);
        return id;
    }

    /** A bundle whose process runs {@code args}, with busybox as its whole rootfs. */
    Path bundle(String id, boolean terminal, String... args) throws Exception {
        Path bundle = dir.resolve(id);
        Path bin = bundle.resolve("rootfs/bin");
        Files.createDirectories(bin);
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        run(bundle, RUNC.toString(), "spec");
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", terminal);
        ArrayNode argv = process.putArray("args");
        for (String a : args) {
            argv.add(a);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), spec);
        return bundle;
    }

    Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        run(dir, "mkfifo", fifo.toString());
        return fifo;
    }

    /** Starts a shim through the launcher and waits for it to record its address. */
    ShimClient startShim(String id, Path bundle, Path daemonSocket) throws Exception {
        Path socket = dir.resolve(id + ".sock");
        Process launcher = new ProcessBuilder(shimCommand(id, bundle, daemonSocket, socket))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(id + ".shim.log").toFile())
                .start();
        long pid = awaitShim(bundle, launcher);
        shimPids.add(pid);
        return client(socket);
    }

    /** A shim started without a task, as the supervisor's spare; its pid is tracked for clean-up. */
    record Spare(ShimClient client, long pid) {
    }

    Spare startSpare(String name, Path daemonSocket) throws Exception {
        Path socket = dir.resolve(name + ".sock");
        Process launcher = new ProcessBuilder(REPO.resolve("bin/jcontainerd-shim").toString(),
                "--address", daemonSocket.toString(), "--socket", socket.toString(),
                "--runtime", runtime.toString(), "--runtime-root", runtimeRoot.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".shim.log").toFile())
                .start();
        shimPids.add(launcher.pid());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline || !launcher.isAlive()) {
                throw new IllegalStateException("the spare shim " + name + " did not start: " + logs());
            }
            Thread.sleep(20);
        }
        ShimClient client = client(socket);
        long pid = client.withTimeout(Duration.ofSeconds(30))
                .connect(io.jcontainerd.api.shim.v1.ConnectRequest.getDefaultInstance()).getShimPid();
        shimPids.add(pid);
        return new Spare(client, pid);
    }

    List<String> shimCommand(String id, Path bundle, Path daemonSocket, Path socket) {
        return List.of(REPO.resolve("bin/jcontainerd-shim").toString(), "--namespace", "default", "--id", id,
                "--bundle", bundle.toString(), "--address", daemonSocket.toString(), "--socket", socket.toString(),
                "--runtime", runtime.toString(), "--runtime-root", runtimeRoot.toString());
    }

    /** Waits for shim.address and returns the shim's pid; fails with the shim's log if it died. */
    long awaitShim(Path bundle, Process launcher) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(bundle.resolve(ShimFiles.ADDRESS))) {
                long pid = ShimFiles.pid(bundle);
                shimPids.add(pid);
                return pid;
            }
            if (launcher != null && !launcher.isAlive() && launcher.exitValue() != 0) {
                break;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the shim for " + bundle + " did not start: " + logs());
    }

    void trackShim(long pid) {
        shimPids.add(pid);
    }

    ShimClient client(Path socket) {
        ShimClient client = ShimClient.connect(socket);
        clients.add(client);
        return client;
    }

    String logs() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                text.append("\n--- ").append(log).append('\n').append(Files.readString(log));
            }
        }
        return text.toString();
    }

    static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void close() throws Exception {
        for (ShimClient client : clients) {
            client.close();
        }
        for (String id : containers) {
            new ProcessBuilder(runtime.toString(), "--root", runtimeRoot.toString(), "delete", "--force", id)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
        for (long pid : shimPids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
            });
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path locateRepo() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/jcontainerd-shim"))) {
                return p;
            }
        }
        throw new IllegalStateException("bin/jcontainerd-shim not found above " + here);
    }
}
