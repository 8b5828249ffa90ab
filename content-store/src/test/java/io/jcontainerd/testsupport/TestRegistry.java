package io.jcontainerd.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real registry for tests: Debian's docker-registry on a free loopback port, filled with the
 * images of scripts/test-images.sh (see {@link FixtureImages} for the names and expected digests).
 *
 * <p>{@link #shared()} starts one per JVM, stopped when the JVM exits. Its storage is kept under
 * {@code /var/cache/jcontainerd-test/registry} (env {@code JCD_TEST_REGISTRY_STORAGE}) and the images
 * under {@code /var/cache/jcontainerd-test/images} (env {@code JCD_TEST_IMAGE_CACHE}), so only the
 * first run on a machine builds and pushes; later starts take well under a second.
 *
 * <p>{@link #hostsDir()} holds {@code docker.io/hosts.toml} (containerd's format) naming this registry
 * as docker.io's server over plain http, so {@code docker.io/library/busybox:latest} resolves here,
 * e.g. with {@code ctr --hosts-dir}, and a tag it lacks is NotFound without asking the internet.
 */
public final class TestRegistry implements AutoCloseable {

    static final Path DEFAULT_IMAGE_CACHE = Path.of("/var/cache/jcontainerd-test/images");
    static final Path DEFAULT_STORAGE = Path.of("/var/cache/jcontainerd-test/registry");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);   // a first build on a fresh machine
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static TestRegistry shared;

    private final Path script;
    private final Path stateDir;
    private final boolean deleteStateDir;
    private final int port;
    private final FixtureImages images;
    private boolean closed;

    private TestRegistry(Path script, Path stateDir, boolean deleteStateDir, int port, FixtureImages images) {
        this.script = script;
        this.stateDir = stateDir;
        this.deleteStateDir = deleteStateDir;
        this.port = port;
        this.images = images;
    }

    /** The registry of this JVM: started on first use, stopped when the JVM exits. */
    public static synchronized TestRegistry shared() {
        if (shared == null) {
            TestRegistry registry = start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(registry::close));
            shared = registry;
        }
        return shared;
    }

    /** A registry of its own in a fresh temporary state dir (removed on close); the storage is shared. */
    public static TestRegistry start() {
        try {
            return start(Files.createTempDirectory("jcd-test-registry-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state dir for the test registry", e);
        }
    }

    /** A registry whose port, pid, config, log and certs.d live in {@code stateDir}. */
    public static TestRegistry start(Path stateDir) {
        return start(stateDir, false);
    }

    /**
     * A registry started through {@code launcher} (e.g. {@code ip netns exec NS}: it then listens on that
     * network namespace's loopback), with its state in {@code stateDir}.
     */
    public static TestRegistry startThrough(List<String> launcher, Path stateDir) {
        return start(launcher, stateDir, false);
    }

    private static TestRegistry start(Path stateDir, boolean deleteStateDir) {
        return start(List.of(), stateDir, deleteStateDir);
    }

    private static TestRegistry start(List<String> launcher, Path stateDir, boolean deleteStateDir) {
        Path root = FixtureScripts.repoRoot();
        Path script = root.resolve("scripts/test-registry.sh");
        Path imageCache = envPath("JCD_TEST_IMAGE_CACHE", DEFAULT_IMAGE_CACHE);
        Map<String, String> env = Map.of(
                "JCD_TEST_IMAGE_CACHE", imageCache.toString(),
                "JCD_TEST_REGISTRY_STORAGE", envPath("JCD_TEST_REGISTRY_STORAGE", DEFAULT_STORAGE).toString(),
                "JCD_TEST_REGISTRY_OWNER", Long.toString(ProcessHandle.current().pid()));
        List<String> command = new java.util.ArrayList<>(launcher);
        command.addAll(List.of("bash", script.toString(), "start", stateDir.toString()));
        String out = FixtureScripts.runCommand(command, env, START_TIMEOUT);
        int port;
        try {
            port = Integer.parseInt(out.lines().reduce((a, b) -> b).orElse("").strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(script + " start printed no port but: " + out, e);
        }
        return new TestRegistry(script, stateDir, deleteStateDir, port, FixtureImages.read(imageCache));
    }

    private static Path envPath(String name, Path fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}: the registry host as it appears in references. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}, the base of the distribution API ({@code /v2/...}). */
    public URI baseUri() {
        return URI.create("http://" + host());
    }

    /** The certs.d directory whose {@code docker.io/hosts.toml} points docker.io here. */
    public Path hostsDir() {
        return stateDir.resolve("certs.d");
    }

    public Path stateDir() {
        return stateDir;
    }

    /** {@code busybox:latest} → {@code 127.0.0.1:PORT/library/busybox:latest}. */
    public String reference(String nameAndTag) {
        return host() + "/library/" + nameAndTag;
    }

    /** {@code busybox:latest} → {@code docker.io/library/busybox:latest}, which {@link #hostsDir()} maps here. */
    public static String dockerHubReference(String nameAndTag) {
        return "docker.io/library/" + nameAndTag;
    }

    /** The expected digests of what this registry serves. */
    public FixtureImages images() {
        return images;
    }

    /** Stops the registry (exactly the process this instance started); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        FixtureScripts.run(script, List.of("stop", stateDir.toString()), Map.of(), STOP_TIMEOUT);
        if (deleteStateDir) {
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the test registry's state dir " + dir, e);
        }
    }
}
