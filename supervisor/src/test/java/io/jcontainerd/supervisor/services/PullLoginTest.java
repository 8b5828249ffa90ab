package io.jcontainerd.supervisor.services;

import io.jcontainerd.api.pull.v1.RegistryAuth;
import io.jcontainerd.content.registry.CredentialStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PullLoginTest {
    @Test
    void aLoginIsUsedOnlyForTheRegistryItsServerAddressNames() {
        CredentialStore s = PullLogin.of(RegistryAuth.newBuilder().setUsername("u").setPassword("p").setServerAddress("127.0.0.1:5000").build());
        assertThat(s.lookup("127.0.0.1:5000")).hasValueSatisfying(c -> assertThat(c.secret()).isEqualTo("p"));
        assertThat(s.lookup("127.0.0.1:5001")).isEmpty();
        assertThat(s.lookup("registry-1.docker.io")).isEmpty();
    }

    @Test
    void dockerHubsAddressesMeanDockerIosHostsAndNoAddressMeansAnyHostOfThePull() {
        CredentialStore hub = PullLogin.of(RegistryAuth.newBuilder().setUsername("u").setPassword("p")
                .setServerAddress("https://index.docker.io/v1/").build());
        assertThat(hub.lookup("registry-1.docker.io")).isPresent();
        assertThat(hub.lookup("ghcr.io")).isEmpty();
        assertThat(PullLogin.of(RegistryAuth.newBuilder().setUsername("u").setPassword("p").build()).lookup("ghcr.io")).isPresent();
        assertThat(PullLogin.of(RegistryAuth.newBuilder().setIdentityToken("t").build()).lookup("x"))
                .hasValueSatisfying(c -> assertThat(c.secret()).isEqualTo("t"));
        assertThat(PullLogin.of(RegistryAuth.getDefaultInstance()).lookup("x")).isEmpty();
    }

    @Test
    void theSecretIsNotInTheCredentialsText() {
        var c = PullLogin.of(RegistryAuth.newBuilder().setUsername("u").setPassword("hunter2").build()).lookup("h").orElseThrow();
        assertThat(c.toString()).doesNotContain("hunter2");
    }
}
