package io.jcontainerd.content.registry;

import io.jcontainerd.content.store.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuthTest {

    @Test
    void parsesDockerHubsBearerChallenge() {
        List<AuthChallenge> cs = AuthChallenge.parse(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\""));
        assertThat(cs).singleElement().satisfies(c -> {
            assertThat(c.isBearer()).isTrue();
            assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
            assertThat(c.param("service")).isEqualTo("registry.docker.io");
            assertThat(c.param("scope")).isEqualTo("repository:library/busybox:pull,push");
        });
    }

    @Test
    void parsesSeveralChallengesInOneHeader() {
        List<AuthChallenge> cs = AuthChallenge.parse(List.of("Basic realm=\"x\", Bearer realm=\"https://t/\",service=s"));
        assertThat(cs).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer");
        assertThat(cs.get(1).param("service")).isEqualTo("s");
    }

    @Test
    void readsLoginsFromDockerConfigJson() throws Exception {
        Path dir = Files.createTempDirectory("jcd-docker-config-");
        try {
            Path f = dir.resolve("config.json");
            Files.writeString(f, """
                    {"auths": {
                      "https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNzOndpdGg6Y29sb25z"},
                      "127.0.0.1:5000": {"username": "u2", "password": "p2"},
                      "https://ghcr.io/": {"identitytoken": "idt"},
                      "empty.io": {}
                    }}""");
            DockerConfigCredentials c = DockerConfigCredentials.load(f);
            assertThat(c.lookup("registry-1.docker.io")).hasValue(new Credentials("user", "pass:with:colons"));
            assertThat(c.lookup("docker.io")).hasValue(new Credentials("user", "pass:with:colons"));
            assertThat(c.lookup("127.0.0.1:5000")).hasValue(new Credentials("u2", "p2"));
            assertThat(c.lookup("ghcr.io")).hasValue(new Credentials("", "idt"));
            assertThat(c.lookup("empty.io")).isEmpty();
            assertThat(DockerConfigCredentials.load(dir.resolve("missing.json")).lookup("docker.io")).isEmpty();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Test
    void neverPrintsTheSecret() {
        assertThat(new Credentials("alice", "hunter2").toString()).doesNotContain("hunter2");
    }
}
