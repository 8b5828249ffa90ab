package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Names as docker create and docker rename take them: checked once, claimed in one step, released with the container. */
class ContainerTableTest {
    @Test
    void aNameLosesItsSlashAndAnInvalidOneIsA400NamingIt() {
        assertThat(ContainerTable.validName("/web")).isEqualTo("web");
        assertThat(ContainerTable.validName("web_1.a-b")).isEqualTo("web_1.a-b");
        assertThatThrownBy(() -> ContainerTable.validName("-web")).isInstanceOfSatisfying(DockerApiException.class,
                e -> assertThat(e.status()).isEqualTo(400)).hasMessageContaining("Invalid container name (-web)");
        assertThatThrownBy(() -> ContainerTable.validName(null)).isInstanceOfSatisfying(DockerApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void aNameHeldByAnotherContainerIsA409UntilItIsReleased() {
        ContainerTable table = new ContainerTable();
        assertThat(table.claimName("web", "a")).isEqualTo("web");
        assertThatThrownBy(() -> table.claimName("web", "b")).isInstanceOfSatisfying(DockerApiException.class,
                e -> assertThat(e.status()).isEqualTo(409)).hasMessageContaining("\"/web\" is already in use by container \"a\"");
        table.releaseName("web", "b"); // not its holder: nothing changes
        assertThatThrownBy(() -> table.claimName("web", "b")).isInstanceOf(DockerApiException.class);
        table.releaseName("web", "a");
        assertThat(table.claimName("web", "b")).isEqualTo("web");
    }

    @Test
    void generatedNamesAreFreeOnes() {
        ContainerTable table = new ContainerTable();
        String first = table.claimGeneratedName("a", new SecureRandom());
        assertThatThrownBy(() -> table.claimName(first, "b")).isInstanceOf(DockerApiException.class);
        assertThat(table.claimGeneratedName("b", new SecureRandom())).isNotEqualTo(first);
    }
}
