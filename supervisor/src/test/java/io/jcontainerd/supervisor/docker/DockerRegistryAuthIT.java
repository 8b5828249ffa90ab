package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import io.jcontainerd.testsupport.FilesHolding;
import io.jcontainerd.testsupport.LocalRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker pull} from a registry that wants a login (Debian's docker-registry with htpasswd
 * auth, serving the test registry's storage read-only on its own loopback port): the CLI's
 * X-Registry-Auth is the login for that pull only; without it, or with a wrong password, the pull
 * is denied; nothing of it is kept (the next pull without a login is denied again) or logged.
 */
class DockerRegistryAuthIT {
    private static final String USER = LocalRegistry.USER;
    private static final String PASSWORD = LocalRegistry.PASSWORD;
    @TempDir
    Path dir;
    DockerFixture d;
    LocalRegistry registry;
    String host;

    @BeforeEach
    void start() throws Exception {
        d = new DockerFixture(dir.resolve("daemon"));
        registry = LocalRegistry.overTestImages(dir.resolve("registry"), true);
        host = registry.host;
    }

    @AfterEach
    void stop() throws Exception {
        try {
            d.close();
        } finally {
            if (registry != null) {
                registry.close();
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
        List<Path> holding = FilesHolding.secret(dir.resolve("daemon"), PASSWORD);
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
}
