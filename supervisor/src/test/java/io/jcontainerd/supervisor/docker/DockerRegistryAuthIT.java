package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker pull} from a registry that wants a login (Debian's docker-registry with htpasswd
 * auth, serving the test registry's storage read-only on its own loopback port): the CLI's
 * X-Registry-Auth is the login for that pull only; without it, or with a wrong password, the pull
 * is denied; nothing of it is kept (the next pull without a login is denied again) or logged.
 */
class DockerRegistryAuthIT {
    private static final String USER = "jcd-test";
    private static final String PASSWORD = "jcd-test-password";
    /** bcrypt of PASSWORD (cost 5): docker-registry's htpasswd accepts bcrypt only. */
    private static final String HTPASSWD = USER + ":$2b$05$L2EcXJt5KTe2B4HX2/rnLuOoNaUSnPKdXXkSwjuhlkzg1fZ94oDpm\n";
    @TempDir
    Path dir;
    DockerFixture d;
    Process registry;
    String host;

    @BeforeEach
    void start() throws Exception {
        d = new DockerFixture(dir.resolve("daemon"));
        registry = startAuthRegistry(dir.resolve("registry"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            d.close();
        } finally {
            if (registry != null) {
                registry.destroy();
                if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                    registry.destroyForcibly();
                }
            }
        }
    }

    @Test
    void aPullWithTheClientsLoginSucceedsAndNothingOfTheLoginIsKept() throws Exception {
        String image = host + "/library/busybox:latest";
        Cli.Result anonymous = docker(dir.resolve("no-login"), "pull", image);
        assertThat(anonymous.exit()).as(anonymous.toString()).isEqualTo(1);
        assertThat(anonymous.err()).contains("requires authentication").contains("401 Unauthorized");

        Cli.Result wrong = docker(login(dir.resolve("wrong-login"), "not-the-password"), "pull", image);
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.err()).contains("refused the configured credentials").doesNotContain("not-the-password");

        Path good = login(dir.resolve("login"), PASSWORD);
        Cli.Result pull = docker(good, "pull", image);
        assertThat(pull.exit()).as(pull.toString()).isZero();
        assertThat(pull.out()).contains("Status: Downloaded newer image for " + image);
        Cli.Result run = docker(good, "run", "--rm", "--network", "none", image, "echo", "logged in");
        assertThat(run.out()).as(run.toString()).isEqualTo("logged in\n");

        assertThat(docker(good, "rmi", image).exit()).isZero();
        Cli.Result again = docker(dir.resolve("no-login"), "pull", image);
        assertThat(again.exit()).as("the login of the earlier pull is not kept: %s", again).isEqualTo(1);

        assertThat(d.daemon.log()).doesNotContain(PASSWORD);
        List<Path> holding = new ArrayList<>();
        // the collector removes the image's snapshots meanwhile: files that vanish are skipped
        Files.walkFileTree(dir.resolve("daemon"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                try {
                    if (a.isRegularFile() && a.size() < (64 << 20)
                            && new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(PASSWORD)) {
                        holding.add(f);
                    }
                } catch (NoSuchFileException gone) {
                    // removed by the collector
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        assertThat(holding).as("files of the daemon's root, state and log holding the password").isEmpty();
    }

    /** A DOCKER_CONFIG whose config.json has the login for the auth registry, as docker login writes it. */
    private Path login(Path config, String password) throws IOException {
        Files.createDirectories(config);
        String auth = Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}");
        return config;
    }

    private Cli.Result docker(Path config, String... args) throws IOException {
        Files.createDirectories(config);
        List<String> cmd = new ArrayList<>(List.of(DockerFixture.DOCKER));
        cmd.addAll(List.of(args));
        return Cli.run(cmd, Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", config.toString()), 120);
    }

    /** docker-registry with htpasswd auth on a free loopback port, over the shared test registry's storage, read-only. */
    private Process startAuthRegistry(Path state) throws Exception {
        Files.createDirectories(state);
        String shared = Files.readString(TestRegistry.shared().stateDir().resolve("config.yml"));
        String storage = shared.lines().filter(l -> l.strip().startsWith("rootdirectory:")).findFirst()
                .orElseThrow(() -> new AssertionError("no rootdirectory in the test registry's config.yml:\n" + shared))
                .strip().substring("rootdirectory:".length()).strip();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Files.writeString(state.resolve("htpasswd"), HTPASSWD);
        Files.writeString(state.resolve("config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  maintenance:
                    uploadpurging:
                      enabled: false
                    readonly:
                      enabled: true
                http:
                  addr: %s
                  secret: jcontainerd-auth-test-registry
                auth:
                  htpasswd:
                    realm: jcontainerd-test
                    path: %s
                """.formatted(storage, host, state.resolve("htpasswd")));
        Cli.requireTool("/usr/bin/docker-registry", "docker-registry");
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", state.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(state.resolve("registry.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).as("the registry asks for a login").isEqualTo(401);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("docker-registry with htpasswd auth did not serve " + host + ":\n"
                            + Files.readString(state.resolve("registry.log")), notYet);
                }
                Thread.onSpinWait();
            }
        }
    }
}
