package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.content.store.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostsDirectoryTest {

    private final Path dir = Files.createTempDirectory("jcd-certs.d-");

    HostsDirectoryTest() throws IOException {
    }

    @AfterEach
    void clean() throws IOException {
        TempDirs.deleteRecursively(dir);
    }

    private void write(String registry, String toml) throws IOException {
        Files.createDirectories(dir.resolve(registry));
        Files.writeString(dir.resolve(registry).resolve("hosts.toml"), toml);
    }

    @Test
    void dockerHubDefaultsToRegistry1OverHttps() {
        List<RegistryHost> hosts = HostsDirectory.of(dir).lookup("docker.io");
        assertThat(hosts).singleElement().satisfies(h -> {
            assertThat(h.endpoint()).hasToString("https://registry-1.docker.io/v2");
            assertThat(h.capabilities()).containsExactlyInAnyOrder(HostCapability.PULL, HostCapability.RESOLVE, HostCapability.PUSH);
        });
    }

    @Test
    void loopbackRegistriesDefaultToPlainHttpAndOthersToHttps() {
        assertThat(HostsDirectory.of(dir).lookup("localhost:5000")).singleElement()
                .satisfies(h -> assertThat(h.endpoint()).hasToString("http://localhost:5000/v2"));
        assertThat(HostsDirectory.of(dir).lookup("127.0.0.1:5000").getFirst().plainHttp()).isTrue();
        assertThat(HostsDirectory.of(dir).lookup("quay.io").getFirst().endpoint()).hasToString("https://quay.io/v2");
    }

    @Test
    void readsMirrorsInFileOrderThenTheServer() throws IOException {
        write("docker.io", """
                server = "https://registry-1.docker.io"

                [host."http://127.0.0.1:5000"]
                  capabilities = ["pull", "resolve"]

                [host."https://mirror.example.com/base"]
                  capabilities = ["pull"]
                  skip_verify = true
                  ca = ["ca1.pem", "/etc/ca2.pem"]
                  [host."https://mirror.example.com/base".header]
                    x-one = "1"
                    x-many = ["a", "b"]

                [host."https://exact.example.com/custom/v2"]
                  override_path = true
                """);
        List<RegistryHost> hosts = HostsDirectory.of(dir).lookup("docker.io");
        assertThat(hosts).extracting(h -> h.endpoint().toString()).containsExactly(
                "http://127.0.0.1:5000/v2",
                "https://mirror.example.com/base/v2",
                "https://exact.example.com/custom/v2",
                "https://registry-1.docker.io/v2");
        assertThat(hosts.get(0).capabilities()).containsExactlyInAnyOrder(HostCapability.PULL, HostCapability.RESOLVE);
        assertThat(hosts.get(0).host()).isEqualTo("127.0.0.1:5000");
        RegistryHost mirror = hosts.get(1);
        assertThat(mirror.capabilities()).containsExactly(HostCapability.PULL);
        assertThat(mirror.skipVerify()).isTrue();
        assertThat(mirror.caCerts()).containsExactly(dir.resolve("docker.io/ca1.pem"), Path.of("/etc/ca2.pem"));
        assertThat(mirror.headers()).containsEntry("x-one", List.of("1")).containsEntry("x-many", List.of("a", "b"));
        assertThat(hosts.get(3).capabilities()).contains(HostCapability.RESOLVE, HostCapability.PUSH);
    }

    @Test
    void withoutAServerLineTheDefaultUpstreamComesLast() throws IOException {
        write("docker.io", """
                [host."http://127.0.0.1:5000"]
                  capabilities = ["pull", "resolve"]
                """);
        assertThat(HostsDirectory.of(dir).lookup("docker.io")).extracting(h -> h.endpoint().toString())
                .containsExactly("http://127.0.0.1:5000/v2", "https://registry-1.docker.io/v2");
    }

    @Test
    void aRegistryWithAPortUsesItsOwnDirectoryAndDefaultIsTheFallback() throws IOException {
        write("myreg:5000", "server = \"http://myreg:5000\"\n");
        write("_default", "server = \"https://fallback.example.com\"\n");
        assertThat(HostsDirectory.of(dir).lookup("myreg:5000").getFirst().endpoint()).hasToString("http://myreg:5000/v2");
        assertThat(HostsDirectory.of(dir).lookup("other.io").getFirst().endpoint()).hasToString("https://fallback.example.com/v2");
    }

    @Test
    void refusesUnknownCapabilitiesAndBadToml() throws IOException {
        write("a.io", "[host.\"http://x\"]\ncapabilities = [\"fly\"]\n");
        assertThatThrownBy(() -> HostsDirectory.of(dir).lookup("a.io"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("\"fly\"").hasMessageContaining("hosts.toml");
        write("b.io", "server = \n");
        assertThatThrownBy(() -> HostsDirectory.of(dir).lookup("b.io"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not valid TOML");
    }
}
