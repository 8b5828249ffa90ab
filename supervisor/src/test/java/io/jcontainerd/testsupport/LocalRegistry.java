package io.jcontainerd.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry on a free loopback port, optionally behind htpasswd auth (user
 * {@link #USER}, password {@link #PASSWORD}): with an empty storage of its own, writable (a registry
 * to push to, {@link #scratch}), or serving the shared test registry's storage read-only (its
 * images behind a login, {@link #overTestImages}). {@link #close} stops exactly the process it started.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String USER = "jcd-test";
    public static final String PASSWORD = "jcd-test-password";
    /**
     * bcrypt of PASSWORD (cost 5): docker-registry's htpasswd accepts bcrypt only and apache2-utils'
     * htpasswd is not installed; Debian's python3 makes one offline with
     * {@code crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32))}.
     */
    private static final String HTPASSWD = USER + ":$2b$05$L2EcXJt5KTe2B4HX2/rnLuOoNaUSnPKdXXkSwjuhlkzg1fZ94oDpm\n";
    /** "127.0.0.1:port". */
    public final String host;
    public final Path dir;
    private final Process process;

    private LocalRegistry(String host, Path dir, Process process) {
        this.host = host;
        this.dir = dir;
        this.process = process;
    }

    /** An empty, writable registry in {@code dir}. */
    public static LocalRegistry scratch(Path dir, boolean htpasswd) throws Exception {
        Files.createDirectories(dir.resolve("storage"));
        return start(dir, dir.resolve("storage"), false, htpasswd);
    }

    /** The shared test registry's images ({@link TestRegistry}), read-only, served again from {@code dir}'s config. */
    public static LocalRegistry overTestImages(Path dir, boolean htpasswd) throws Exception {
        String shared = Files.readString(TestRegistry.shared().stateDir().resolve("config.yml"));
        String storage = shared.lines().filter(l -> l.strip().startsWith("rootdirectory:")).findFirst()
                .orElseThrow(() -> new AssertionError("no rootdirectory in the test registry's config.yml:\n" + shared))
                .strip().substring("rootdirectory:".length()).strip();
        return start(dir, Path.of(storage), true, htpasswd);
    }

    private static LocalRegistry start(Path dir, Path storage, boolean readOnly, boolean htpasswd) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        String auth = "";
        if (htpasswd) {
            Files.writeString(dir.resolve("htpasswd"), HTPASSWD);
            auth = """
                    auth:
                      htpasswd:
                        realm: jcontainerd-test
                        path: %s
                    """.formatted(dir.resolve("htpasswd"));
        }
        String readonly = readOnly ? """
                    readonly:
                      enabled: true
                """ : "";
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  maintenance:
                    uploadpurging:
                      enabled: false
                %shttp:
                  addr: %s
                  secret: jcontainerd-local-registry
                %s""".formatted(storage, readonly, host, auth));
        Cli.requireTool("/usr/bin/docker-registry", "docker-registry");
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != (htpasswd ? 401 : 200)) {
                    p.destroyForcibly();
                    throw new AssertionError("docker-registry on " + host + " answered GET /v2/ with " + r.statusCode()
                            + " (expected " + (htpasswd ? "401: it asks for a login" : "200") + ")");
                }
                return new LocalRegistry(host, dir, p);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("docker-registry did not serve " + host + ":\n" + Files.readString(dir.resolve("registry.log")), notYet);
                }
                Thread.onSpinWait();
            }
        }
    }

    /** The status of the registry's answer to {@code HEAD /v2/<path>} (anonymous). */
    public int head(String path) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + path)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The registry's answer to {@code GET /v2/<path>} (anonymous). */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + path))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json");
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("registry.log"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
